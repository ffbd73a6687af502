module.exports = { ...require('../../jest.preset.cjs'), displayName: 'state-bootstrap', rootDir: __dirname };
