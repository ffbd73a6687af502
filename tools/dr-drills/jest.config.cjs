// Each spec file starts its own worlds; two workers run two drills at a time. A drill mostly waits
// on its world's timings (about 60% of one core), so two overlap well on two cores.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'dr-drills', rootDir: __dirname, maxWorkers: 2 };
