// What the drills' own test project drives: a whole drill, or the restore drill, and their reports.
export type { DrillReport } from './analysis';
export { runDrill, type DrillOptions, type DrillResult } from './drill';
export { runRestoreDrill, type RestoreDrillReport, type RestoreDrillResult } from './restore';
