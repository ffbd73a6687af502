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
} as const;
