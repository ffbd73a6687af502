module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-compute',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
