const preset = require('../../jest.preset.cjs');

// The local world's specs wait on MariaDB servers and on real time limits: two files at a time,
// even on two cores (10 s one at a time, 7 s two at a time, about the same CPU). The specs in
// test/aws/ run only as parts of test/aws.spec.ts, which loads the AWS SDK once for all of them.
module.exports = {
  ...preset,
  displayName: 'dr',
  rootDir: __dirname,
  maxWorkers: 2,
  testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '<rootDir>/test/aws/'],
};
