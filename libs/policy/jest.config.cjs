const preset = require('../../jest.preset.cjs');

// The suite over the real stacks (libs/policy/suite) is a project of its own, with its own config.
module.exports = { ...preset, displayName: 'policy-engine', rootDir: __dirname, testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '<rootDir>/suite/'] };
