module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-database',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
