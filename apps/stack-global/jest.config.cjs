module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stack-global',
  rootDir: __dirname,
  setupFilesAfterEnv: ['<rootDir>/../../jest.cdktf.cjs'],
};
