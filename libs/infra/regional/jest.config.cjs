module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-regional',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
