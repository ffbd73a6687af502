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
export { BREAK_STALE_ENV, DEPLOY_EXPECTED_MS, DEPLOY_STALE_AFTER_MS, EXIT, runStackRunner, type RunnerDeps } from './cli';
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
export { checkZone, type ZoneCheckInput } from './zone';
