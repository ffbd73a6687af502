module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dr', rootDir: __dirname };
