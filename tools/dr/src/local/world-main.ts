// The local world as a process of its own, so it outlives the operator CLI that drives it (and
// that a drill may kill mid-promotion). Prints the world's description as one JSON line when it
// serves, and stops everything it started on SIGTERM, SIGINT, or when its parent goes away.
import { loadEnvironment } from '@txn-dr/config';
import { parseArgs } from 'node:util';
import { DB_ENDPOINTS, DEFAULT_DB_ENDPOINT, type DbEndpoint, type ProfileName, PROFILES, drillProfile } from '../drill/profile';
import { SERVICE_BUNDLE } from '../drill/paths';
import { LocalWorldServer } from './world-server';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    profile: { type: 'string', default: 'ci' },
    'parent-pid': { type: 'string' },
    'service-stderr': { type: 'boolean', default: false },
    'db-endpoint': { type: 'string', default: DEFAULT_DB_ENDPOINT },
  },
});

async function main(): Promise<void> {
  if (!values.dir) throw new Error('--dir is required');
  if (!(PROFILES as readonly string[]).includes(values.profile!)) throw new Error(`--profile must be one of ${PROFILES.join(', ')}`);
  if (!(DB_ENDPOINTS as readonly string[]).includes(values['db-endpoint']!)) throw new Error(`--db-endpoint must be one of ${DB_ENDPOINTS.join(', ')}`);
  const env = loadEnvironment();
  const world = await LocalWorldServer.start({
    dir: values.dir,
    env,
    profile: drillProfile(values.profile as ProfileName, env),
    bundle: SERVICE_BUNDLE,
    dbEndpoint: values['db-endpoint'] as DbEndpoint,
    ...(values['service-stderr'] ? { serviceStderr: 'inherit' as const } : {}),
  });
  let closing: Promise<void> | undefined;
  const stop = () => {
    closing ??= world.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const parent = values['parent-pid'] ? Number(values['parent-pid']) : undefined;
  if (parent) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        stop();
      }
    }, 500).unref();
  }
  process.stdout.write(`${JSON.stringify(world.info)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`local world: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
