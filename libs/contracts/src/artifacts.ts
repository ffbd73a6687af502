import { HEALTH_CHECK_NODE_MAJOR, HEALTH_CHECK_RUNTIME } from './health';

/**
 * Build outputs that the regional stacks ship to AWS, relative to the workspace root. Each is
 * written by its project's `build` target; the stacks read them from disk (an app is never
 * imported), and Nx knows the dependency through the stacks' implicitDependencies.
 */
export const ARTIFACTS = {
  /** The transaction service: an esbuild bundle plus the files the instances run it with. */
  transactionApi: {
    project: 'transaction-api',
    dir: 'dist/apps/transaction-api',
    files: {
      /** Single-file Node.js bundle. */
      bundle: 'main.js',
      /** systemd unit, installed as-is. */
      unit: 'transaction-api.service',
      /** Environment file with `${NAME}` placeholders, rendered by the instance user data. */
      envTemplate: 'transaction-api.env.template',
      /**
       * Single-file Node.js bundle of the schema step: migrations and the service's own database
       * user, run with administrative credentials before the service (a CLI, and a Lambda-style
       * `handler` export).
       */
      migrate: 'migrate.js',
      /**
       * The migrate bundle alone in a Lambda zip (`migrate.js`, export `handler`), for the
       * function the primary stack invokes on every apply that brings a new bundle.
       */
      migrateFunction: 'migrate-function.zip',
    },
  },
  /** The health-check Lambda: a zip of its esbuild bundle. */
  healthCheck: {
    project: 'health-check',
    dir: 'dist/apps/health-check',
    files: {
      zip: 'health-check.zip',
    },
  },
  /** The master-secret rotation Lambda: a zip of its esbuild bundle. */
  secretRotation: {
    project: 'secret-rotation',
    dir: 'dist/apps/secret-rotation',
    files: {
      zip: 'secret-rotation.zip',
    },
  },
} as const;

/** Handler of the rotation function inside its zip: `index.js`, export `handler`. */
export const SECRET_ROTATION_HANDLER = 'index.handler';

/** Lambda runtime of the rotation function: the one every function of the project runs on. */
export const SECRET_ROTATION_RUNTIME = HEALTH_CHECK_RUNTIME;

/** The Node.js major version of SECRET_ROTATION_RUNTIME, which the bundle targets. */
export const SECRET_ROTATION_NODE_MAJOR = HEALTH_CHECK_NODE_MAJOR;

/**
 * Environment variables the infrastructure sets on the rotation function. Secrets Manager names
 * the secret in each invocation; these say where the database is and which secret the function
 * may rotate.
 */
export const SECRET_ROTATION_ENV = {
  /** ARN of the one secret the function rotates; any other is refused. */
  secretArn: 'DR_SECRET_ARN',
  /** Host the master user logs in to: the global writer endpoint, which follows the writer. */
  dbHost: 'DR_DB_HOST',
  /** MySQL port. Optional, 3306 when unset. */
  dbPort: 'DR_DB_PORT',
  /**
   * `rds` (TLS, server certificate checked against the RDS CA bundle) or `off`. Optional, `rds`
   * when unset: the infrastructure never sets it; `off` is for a local MariaDB in tests.
   */
  dbTls: 'DR_DB_TLS',
  /** Time limit of opening a database connection, and of each statement, in milliseconds. Optional. */
  dbTimeoutMs: 'DR_DB_TIMEOUT_MS',
  /** Time limit of each Secrets Manager call, in milliseconds. Optional. */
  callTimeoutMs: 'DR_CALL_TIMEOUT_MS',
} as const;
export type SecretRotationEnvKey = keyof typeof SECRET_ROTATION_ENV;

/** Handler of the schema migration function inside its zip: `migrate.js`, export `handler`. */
export const SCHEMA_MIGRATION_HANDLER = 'migrate.handler';

/** Lambda runtime of the schema migration function: the one every function of the project runs on. */
export const SCHEMA_MIGRATION_RUNTIME = HEALTH_CHECK_RUNTIME;

/**
 * Environment variables of the schema migration function beyond the migrate step's own
 * (SERVICE_ENV: the database endpoint, TLS, time limits and the service user): the administrative
 * credentials come from one secret, named by its ARN, instead of DB_AUTH and its settings.
 */
export const SCHEMA_MIGRATION_ENV = {
  /** ARN of the secret `{"username","password"}` of the administrative (master) user. */
  adminSecretArn: 'DB_ADMIN_SECRET_ARN',
} as const;
export type SchemaMigrationEnvKey = keyof typeof SCHEMA_MIGRATION_ENV;
