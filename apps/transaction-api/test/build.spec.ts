import { ARTIFACTS, SCHEMA_MIGRATION_HANDLER } from '@txn-dr/contracts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip } from '@txn-dr/function-zip/testing';
import { buildService } from '../scripts/build';
import { sharedBundleDir } from './helpers';

const { files } = ARTIFACTS.transactionApi;
/** Every clock but `Date` stays real, so the build and its child processes run as usual. */
const REAL_CLOCKS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const dirs: string[] = [];
let first: string;
let second: string;

beforeAll(async () => {
  // The suite's build, made by the global setup in another process.
  first = sharedBundleDir();
  // A different directory name and a later date, by a day and a bit: neither may show in the output.
  second = mkdtempSync(join(tmpdir(), 'txn-build-again-'));
  dirs.push(second);
  jest.useFakeTimers({ now: Date.now() + 86_400_000 + 1_234, doNotFake: [...REAL_CLOCKS] });
  try {
    await buildService(second);
  } finally {
    jest.useRealTimers();
  }
}, 60_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('build', () => {
  it('writes the contracted artifacts and nothing else', () => {
    expect(readdirSync(first).sort()).toEqual([files.bundle, files.envTemplate, files.unit, files.migrate, files.migrateFunction].sort());
  });

  it('is deterministic: the same sources give the same bytes', () => {
    for (const name of Object.values(files)) {
      expect(readFileSync(join(second, name)).equals(readFileSync(join(first, name)))).toBe(true);
    }
  });

  it.each([files.bundle, files.migrate])('bundles %s for Node.js as one CommonJS file with no absolute path of this machine in it', (name) => {
    const bundle = readFileSync(join(first, name), 'utf8');
    expect(bundle.startsWith('"use strict";')).toBe(true);
    expect(bundle).not.toContain(process.cwd());
    expect(bundle).not.toContain(tmpdir() + '/');
    // Every dependency is inside: nothing left to require from node_modules.
    expect(bundle).not.toMatch(/require\("(fastify|mysql2|pino|zod|@aws-sdk\/[a-z-]+|uuid)"\)/);
  });

  it('keeps the web server out of the migrate step', () => {
    expect(readFileSync(join(first, files.migrate), 'utf8')).not.toContain('FST_ERR_');
  });
});

describe('the migrate function zip', () => {
  it('holds the migrate bundle alone, under the file the Lambda handler names, with a fixed date and mode', async () => {
    const entries = await readZip(readFileSync(join(first, files.migrateFunction)));
    expect(entries.map(({ entry }) => entry.fileName)).toEqual([`${SCHEMA_MIGRATION_HANDLER.split('.')[0]}.js`]);
    const { entry, contents } = entries[0]!;
    expect(contents.equals(readFileSync(join(first, files.migrate)))).toBe(true);
    expect(entry.getLastModDate().getFullYear()).toBe(1980);
    expect((entry.externalFileAttributes >>> 16) & 0o777).toBe(0o644);
  });

  it('exports the handler the runtime calls, and runs nothing when loaded', async () => {
    const { contents } = (await readZip(readFileSync(join(first, files.migrateFunction))))[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'txn-migrate-fn-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'migrate.js'), contents);
    // As the Lambda runtime loads it: required, not run as the main module, so the command does not start.
    const [, exportName] = SCHEMA_MIGRATION_HANDLER.split('.');
    const probe = `const m = require(${JSON.stringify(join(dir, 'migrate.js'))}); process.stdout.write(typeof m[${JSON.stringify(exportName)}]);`;
    const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '' } });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: 'function', stderr: '' });
  });
});

describe('the systemd unit', () => {
  const unit = () => readFileSync(join(first, files.unit), 'utf8');
  const directives = () =>
    unit()
      .split('\n')
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
  const value = (key: string) => directives().filter(([k]) => k === key).map(([, v]) => v);

  it('runs the bundle with the env file, as a dedicated unprivileged user', () => {
    expect(value('ExecStart')).toEqual(['/usr/bin/node /opt/transaction-api/main.js']);
    expect(value('EnvironmentFile')).toEqual(['/etc/transaction-api/transaction-api.env']);
    expect(value('DynamicUser')).toEqual(['yes']);
    expect(value('User')).toEqual(['transaction-api']);
    expect(value('NoNewPrivileges')).toEqual(['yes']);
    expect(value('CapabilityBoundingSet')).toEqual(['']);
  });

  it('restarts on failure, forever', () => {
    expect(value('Restart')).toEqual(['on-failure']);
    expect(value('StartLimitIntervalSec')).toEqual(['0']);
  });

  it('stops with SIGTERM and waits longer than the service drains', () => {
    expect(value('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(value('TimeoutStopSec')[0])).toBeGreaterThan(20); // SHUTDOWN_TIMEOUT_MS default: 20 s
  });

  it('hardens the sandbox', () => {
    for (const [key, expected] of [
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
      ['SystemCallFilter', '@system-service'],
      ['RestrictSUIDSGID', 'yes'],
      ['LockPersonality', 'yes'],
    ]) {
      expect([key, value(key!)]).toEqual([key, [expected]]);
    }
  });
});
