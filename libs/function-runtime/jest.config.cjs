module.exports = { ...require('../../jest.preset.cjs'), displayName: 'function-runtime', rootDir: __dirname };
