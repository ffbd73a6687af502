module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-observability',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
