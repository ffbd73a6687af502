export { AWS_AUTHORISATION_ERROR_CODES, AWS_CREDENTIAL_ERROR_CODES } from './aws-errors';
export { ARTIFACTS } from './artifacts';
export {
  HEALTH_CHECK_HANDLER,
  HEALTH_CHECK_NODE_MAJOR,
  HEALTH_CHECK_RUNTIME,
  HEALTH_DIMENSIONS,
  HEALTH_ENV,
  HEALTH_METRICS,
  HEALTH_STATE_INITIAL,
  healthDimensions,
  healthMetricNamespace,
  healthStateParameterName,
  type HealthEnvKey,
} from './health';
export { HEALTH_PATHS, type HealthPath, type HealthPathKey } from './health-paths';
export { Names, type NamingInput } from './names';
export { OUTPUT_LIST_SEPARATOR, STACK_OUTPUTS, parseStackOutputs, splitListOutput, type StackOutputKey, type StackOutputs } from './outputs';
export { PARAMETER_KEYS, parameterName, parameterPrefix, type ParameterKey } from './parameters';
export { STACK_NAMES, localStatePath, stackProject, stateKey, type StackName } from './stacks';
export { TERRAFORM_INSTALL_URL, TERRAFORM_REQUIRED_VERSION } from './terraform';
export {
  SERVICE_ENV,
  SERVICE_ENV_PARAMETERS,
  SERVICE_ENV_PLACEHOLDERS,
  renderServiceEnv,
  serviceEnvValues,
  type ServiceEnvInput,
  type ServiceEnvKey,
  type ServiceEnvName,
  type ServiceEnvPlaceholder,
} from './service';
