const preset = require('../../jest.preset.cjs');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'transaction-api',
  rootDir: __dirname,
  // uuid, and cookie (under Fastify's inject), ship ECMAScript modules only; Jest's module
  // system on Node 20 needs them as CommonJS.
  transform: {
    ...preset.transform,
    '/node_modules/(uuid|cookie)/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(uuid|cookie)/)'],
  // One private MariaDB and one build of the service for the suite; specs that stop or freeze a
  // server start their own (test/mariadb.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30_000,
  // The specs spend about half their time waiting on MariaDB and on the time limits they test
  // (about 14 s of CPU in 15 s): two files at a time, even on two cores; three were no faster.
  maxWorkers: 2,
};
