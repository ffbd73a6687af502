import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFunctionZip } from '../src/write';
import { zipOne } from '../src/zip';
import { readZip } from './read-zip';

describe('zipOne', () => {
  it('gives the same bytes for the same code', async () => {
    const code = Buffer.from('exports.handler = async () => 42;\n');
    expect((await zipOne(code, 'index.js')).equals(await zipOne(Buffer.from(code), 'index.js'))).toBe(true);
    expect((await zipOne(code, 'index.js')).equals(await zipOne(Buffer.from('other'), 'index.js'))).toBe(false);
  });

  it('does not depend on the time zone of the machine that zips it', () => {
    const script = `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, '..', 'src', 'zip.ts'))}).zipOne(Buffer.from('x'), 'index.js').then((z) => process.stdout.write(z.toString('hex')))`;
    const zipIn = (tz: string) => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TZ: tz } }).stdout;
    const utc = zipIn('UTC');
    expect(utc).toMatch(/^504b0304/);
    expect(zipIn('Pacific/Kiritimati')).toBe(utc);
  });

  it('holds the one entry, with a fixed timestamp and an ordinary file mode', async () => {
    const code = Buffer.from('exports.handler = async () => 42;\n');
    const entries = await readZip(await zipOne(code, 'index.js'));
    expect(entries.map((e) => e.entry.fileName)).toEqual(['index.js']);
    const [only] = entries;
    expect(only!.contents.equals(code)).toBe(true);
    expect(only!.entry.getLastModDate().getFullYear()).toBe(1980);
    expect((only!.entry.externalFileAttributes >>> 16) & 0o777).toBe(0o644);
  });
});

describe('writeFunctionZip', () => {
  it('writes the zip under a folder it creates, and reports its size and the SHA-256 of what it wrote', async () => {
    const code = Buffer.from('exports.handler = async () => 42;\n');
    const zipPath = join(mkdtempSync(join(tmpdir(), 'function-zip-')), 'nested', 'fn.zip');
    const result = await writeFunctionZip(code, 'index.js', zipPath);
    const written = readFileSync(zipPath);
    expect(result).toEqual({ zipPath, bundleBytes: code.length, zipBytes: written.length, sha256: createHash('sha256').update(written).digest('hex') });
    expect(written.equals(await zipOne(code, 'index.js'))).toBe(true);
  });
});
