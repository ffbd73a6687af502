module.exports = { ...require('../../jest.preset.cjs'), displayName: 'health-check', rootDir: __dirname };
