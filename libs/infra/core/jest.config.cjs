module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-core',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
