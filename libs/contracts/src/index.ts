export { AWS_AUTHORISATION_ERROR_CODES, AWS_CREDENTIAL_ERROR_CODES } from './aws-errors';
export {
  ARTIFACTS,
  SCHEMA_MIGRATION_ENV,
  SCHEMA_MIGRATION_HANDLER,
  SCHEMA_MIGRATION_RUNTIME,
  SECRET_ROTATION_ENV,
  SECRET_ROTATION_HANDLER,
  SECRET_ROTATION_NODE_MAJOR,
  SECRET_ROTATION_RUNTIME,
  type SchemaMigrationEnvKey,
  type SecretRotationEnvKey,
} from './artifacts';
export { AURORA_GLOBAL_METRICS, AURORA_LAG_METRIC_NAMES } from './aurora-metrics';
export { FUNCTION_CALLS, OPERATOR_CALLS, boundedCalls, boundedClientConfig, type AwsCallBounds, type BoundedCalls, type BoundedClientConfig } from './aws-calls';
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
export { ROUTE53_API_REGION, ROUTE53_HEALTH_CHECK_METRICS, ROUTE53_METRICS_REGION } from './route53';
export { STACK_NAMES, localStatePath, stackProject, stateKey, type StackName } from './stacks';
export { TERRAFORM_INSTALL_URL, TERRAFORM_REQUIRED_VERSION } from './terraform';
export {
  SECURE_TRANSPORT,
  TLS_ONLY_SID,
  tlsOnlyPolicyStatement,
  tlsOnlyStatement,
  type TlsOnlyDocumentStatement,
  type TlsOnlyInput,
  type TlsOnlyPolicyStatement,
} from './tls-only';
export {
  SERVICE_DB_USER,
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
