module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-backup',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
