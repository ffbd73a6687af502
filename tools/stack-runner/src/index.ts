export { MINIMUM_TERRAFORM, PreflightError, checkCredentials, checkTerraform, findCredentialSource, initStack } from './preflight';
