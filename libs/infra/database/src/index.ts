export {
  DatabaseAdminFunction,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  MYSQL_PORT,
  adminFunctionStatements,
  masterSecretReaderStatements,
  type AdminFunctionContext,
  type AdminFunctionPlacement,
  type DatabaseAdminFunctionProps,
} from './admin-function';
export { functionZipAsset } from './function-code';
export { EndpointParameters, type DatabaseParameterKey, type EndpointParametersProps } from './endpoint-parameters';
export { ENGINE, GlobalDatabase, type GlobalDatabaseProps } from './global-database';
export { MasterCredentials, type MasterCredentialsProps, type MasterSecretValue } from './master-credentials';
export { LOG_EXPORTS, RegionalDatabase, type RegionalDatabaseProps } from './regional-database';
export { secretReaderStatements } from './secret-access';
export { SecretRotation, rotationSecretStatements, rotationStatements, secretRotationNames, type SecretRotationNames, type SecretRotationProps } from './secret-rotation';
export { SECRET_ROTATION_ZIP, secretRotationAsset } from './secret-rotation-asset';
export { SCHEMA_MIGRATION_ZIP, SchemaMigration, type SchemaMigrationProps } from './schema-migration';
