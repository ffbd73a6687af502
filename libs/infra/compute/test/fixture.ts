import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, SERVICE_ENV, SERVICE_ENV_PLACEHOLDERS } from '@txn-dr/contracts';

/**
 * A build output shaped like the service's (bundle, unit, env template) for testing the compute
 * constructs on their own; the stacks' tests use the real build.
 */
export function fixtureArtifact(bundle = "console.log('transaction-api');\n", extraEnv = 'DB_AUTH=iam\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'artifact-'));
  const { files } = ARTIFACTS.transactionApi;
  writeFileSync(join(dir, files.bundle), bundle);
  writeFileSync(
    join(dir, files.unit),
    ['[Unit]', 'Description=Transaction API', 'After=network-online.target', '', '[Service]', 'Type=simple', 'DynamicUser=yes',
      'EnvironmentFile=/etc/transaction-api/transaction-api.env', 'ExecStart=/usr/bin/node /opt/transaction-api/main.js', 'ExecReload=/bin/kill -HUP ${MAINPID}',
      'Restart=on-failure', '', '[Install]', 'WantedBy=multi-user.target', ''].join('\n'),
  );
  // Every placeholder but the secret's ARN, which the service's own template leaves out (it logs in with IAM tokens).
  const placeholders = SERVICE_ENV_PLACEHOLDERS.filter((name) => name !== SERVICE_ENV.dbSecretArnParameter);
  writeFileSync(join(dir, files.envTemplate), `${placeholders.map((name) => `${name}=\${${name}}`).join('\n')}\nDB_TLS=rds\n${extraEnv}`);
  return dir;
}
