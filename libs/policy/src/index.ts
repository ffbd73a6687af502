export { evaluate, runRules } from './engine/evaluate';
export { SYNTH_HINT, loadStacks, synthesizedPath, workspaceRoot } from './engine/load';
export { hasWildcardPrincipal, policyStatements, type Statement } from './engine/policy-document';
export { interpolations, referencesDeep, referencesIn, type Reference } from './engine/references';
export { Stack } from './engine/stack';
export {
  fail,
  na,
  pass,
  type Finding,
  type Outcome,
  type Report,
  type Resource,
  type ResourceRule,
  type Rule,
  type StacksRule,
  type Suppression,
  type TfJson,
} from './engine/types';
export { renderReport, renderSummary } from './report/table';
export { RULES } from './rules';
export { UNSCOPABLE_ACTIONS, isUnscopable } from './rules/iam';
export { SUPPRESSIONS } from '../suppressions';
