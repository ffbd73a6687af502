module.exports = { ...require('../../jest.preset.cjs'), displayName: 'static-checks', rootDir: __dirname };
