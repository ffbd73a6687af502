module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-storage',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
