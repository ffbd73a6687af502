// The local world's specs wait on MariaDB servers and on real time limits: two files at a time,
// even on two cores (19 s one at a time, 15 s two at a time, the same CPU).
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dr', rootDir: __dirname, maxWorkers: 2 };
