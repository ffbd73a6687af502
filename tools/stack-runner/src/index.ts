export { AccountMismatchError, callerIdentity, checkAccount, type AccountCheckInput, type CallerIdentity } from './account';
export {
  ALLOW_MISMATCH_ENV,
  ALLOW_MISMATCH_FLAG,
  ActiveRegionMismatchError,
  GlobalClusterUnreachableError,
  checkActiveRegion,
  findGlobalWriter,
  type ActiveRegionInput,
  type GlobalWriter,
  type RegionalRds,
} from './active-region';
export { BREAK_STALE_ENV, DEPLOY_EXPECTED_MS, DEPLOY_STALE_AFTER_MS, EXIT, PLAN_CHECK_EXPECTED_MS, runStackRunner, type RunnerDeps } from './cli';
export {
  PreflightError,
  checkCredentials,
  checkTerraform,
  findCredentialSource,
  initStack,
  readTerraformVersion,
  satisfiesVersionConstraint,
  type TerraformVersionReader,
} from './preflight';
export {
  DEFAULT_PLAN_FILE,
  PLAN_FILE_ENV,
  SavedPlanRefusedError,
  applySavedPlan,
  planRefusalIn,
  planTextFile,
  savePlan,
  type ApplySavedPlanInput,
  type PlanRefusal,
  type SavePlanInput,
  type SavePlanResult,
} from './saved-plan';
export { commandRunner, runTerraform, type CommandOptions, type CommandResult, type TerraformRunner } from './terraform';
export { checkZone, type ZoneCheckInput } from './zone';
