import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEALTH_CHECK_HANDLER } from '@txn-dr/contracts';
import { readZip } from '@txn-dr/function-zip/testing';
import { BUNDLE_FILE, buildHealthCheck, bundleHealthCheck, zipBundle, type Bundle } from './build';

describe('the health-check bundle', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleHealthCheck();
  });

  it('builds the same zip bytes from the same source', async () => {
    const first = await buildHealthCheck(mkdtempSync(join(tmpdir(), 'hc-a-')));
    const second = await buildHealthCheck(mkdtempSync(join(tmpdir(), 'hc-b-')));
    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
  });

  it('holds only the handler file, with a fixed timestamp and ordinary file mode', async () => {
    const entries = await readZip(await zipBundle(bundle.code));
    expect(entries.map((e) => e.entry.fileName)).toEqual([BUNDLE_FILE]);
    expect(BUNDLE_FILE).toBe(`${HEALTH_CHECK_HANDLER.split('.')[0]}.js`);
    const [only] = entries;
    expect(only!.contents.equals(bundle.code)).toBe(true);
    expect(only!.entry.getLastModDate().getFullYear()).toBe(1980);
    expect((only!.entry.externalFileAttributes >>> 16) & 0o777).toBe(0o644);
  });

  it('leaves the configuration library (and zod) out: the function needs only the contracts', () => {
    const inputs = Object.keys(Object.values(bundle.metafile.outputs)[0]!.inputs);
    expect(inputs.some((path) => path.includes('/zod/'))).toBe(false);
    expect(inputs.some((path) => path.startsWith('libs/config/'))).toBe(false);
    expect(inputs).toContain('apps/health-check/src/index.ts');
  });

  it('exports the handler Lambda is told to call, and runs it under plain Node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hc-run-'));
    writeFileSync(join(dir, BUNDLE_FILE), bundle.code);
    const exportName = HEALTH_CHECK_HANDLER.split('.')[1]!;
    // An empty environment: the handler must answer "misconfigured" without calling AWS or throwing.
    const script = `require(${JSON.stringify(join(dir, BUNDLE_FILE))})[${JSON.stringify(exportName)}]().then((r) => process.stdout.write(JSON.stringify(r)))`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(run.stderr).toContain('the function environment is invalid');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'misconfigured', problems: expect.arrayContaining(['DR_CLUSTER_IDENTIFIER is not set']) });
  });
});
