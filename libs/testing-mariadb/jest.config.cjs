module.exports = { ...require('../../jest.preset.cjs'), displayName: 'testing-mariadb', rootDir: __dirname, testTimeout: 60_000 };
