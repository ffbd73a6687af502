module.exports = { ...require('../../jest.preset.cjs'), displayName: 'stack-runner', rootDir: __dirname };
