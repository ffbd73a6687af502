module.exports = { ...require('../../jest.preset.cjs'), displayName: 'function-zip', rootDir: __dirname };
