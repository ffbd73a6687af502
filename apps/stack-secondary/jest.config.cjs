module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stack-secondary',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../jest.cdktf.cjs'],
};
