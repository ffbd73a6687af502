// The rotation's database steps run against a private MariaDB each spec file starts for itself.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'secret-rotation', rootDir: __dirname, testTimeout: 60_000 };
