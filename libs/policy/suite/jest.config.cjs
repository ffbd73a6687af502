// The policy over the real stacks of every environment. The global setup synthesizes each
// environment once per run, every stack app in its own process, into a temporary folder that the
// test files read (POLICY_SUITE_SYNTH) and the teardown removes.
module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'policy',
  rootDir: __dirname,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
