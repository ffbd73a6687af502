module.exports = { ...require('../../jest.preset.cjs'), displayName: 'operation-lock', rootDir: __dirname };
