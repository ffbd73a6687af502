module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'infra-edge',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../../jest.cdktf.cjs'],
};
