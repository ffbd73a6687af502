module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-network',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
