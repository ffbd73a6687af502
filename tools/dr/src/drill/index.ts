// What the drills' own test project drives: a whole drill, or the restore drill, and their reports.
export type { DrillReport } from './analysis';
export { runDrill, startWorld, type DrillOptions, type DrillResult, type WorldHandle } from './drill';
export { runRestoreDrill, type RestoreDrillReport, type RestoreDrillResult } from './restore';
