module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stack-primary',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../jest.cdktf.cjs'],
};
