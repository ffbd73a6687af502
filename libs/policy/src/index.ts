export { costLines, fixedMonthlyTotal, renderCostSection } from './cost/estimate';
export { costInventory, type CostInventory } from './cost/inventory';
export { COST_END, COST_START, withCostSection } from './cost/readme';
export { evaluate, runRules } from './engine/evaluate';
export { checkSynthesizedStack, renderViolations, type Violation } from './engine/gate';
export { SYNTH_HINT, defaultOutdir, loadStacks, synthesizedPath, workspaceRoot } from './engine/load';
export { hasWildcardPrincipal, policyStatements, type Statement } from './engine/policy-document';
export { interpolations, referencesDeep, referencesIn, type Reference } from './engine/references';
export { Stack } from './engine/stack';
export {
  MIN_REASON_LENGTH,
  MalformedSuppressionError,
  SUPPRESSIONS_METADATA_KEY,
  readSuppressions,
  suppressionProblems,
} from './engine/suppressions';
export { environmentOutdir, synthesizeEnvironments, type StackSynth, type SynthesizeOptions } from './engine/synthesize';
export {
  fail,
  na,
  pass,
  type Finding,
  type Outcome,
  type PolicySuppression,
  type Report,
  type Resource,
  type ResourceRule,
  type Rule,
  type StacksRule,
  type Suppression,
  type TfJson,
} from './engine/types';
export { RULES_END, RULES_START, SUPPRESSIONS_END, SUPPRESSIONS_START, renderRuleTable, renderSuppressionTable, suppressionRows, withGeneratedTables, type SuppressionRow } from './readme';
export { renderReport, renderSummary } from './report/table';
export { RULES } from './rules';
export { UNSCOPABLE_ACTIONS, isUnscopable } from './rules/iam';
