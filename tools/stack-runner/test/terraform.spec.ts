import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandRunner } from '../src';

// The runner is tried on node itself, which every machine running these tests has.
const node = commandRunner(process.execPath);
const script = `process.stdout.write('plan: ' + process.cwd()); process.stderr.write('warning'); process.exitCode = 2;`;

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'command-runner-')));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('commandRunner', () => {
  /** Runs the script, capturing what this process writes meanwhile. */
  async function run(echo: boolean) {
    const out: string[] = [];
    const err: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      return { result: await node(['-e', script], { cwd: dir, echo }), out: out.join(''), err: err.join('') };
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('runs in the directory given and keeps stdout, stderr and the exit status, quietly', async () => {
    await expect(run(false)).resolves.toEqual({ result: { status: 2, stdout: `plan: ${dir}`, stderr: 'warning' }, out: '', err: '' });
  });

  it('echoes the output as it comes when asked, and still keeps it', async () => {
    await expect(run(true)).resolves.toEqual({ result: { status: 2, stdout: `plan: ${dir}`, stderr: 'warning' }, out: `plan: ${dir}`, err: 'warning' });
  });

  it('answers status 1 with the reason for a command that cannot start', async () => {
    const missing = commandRunner('terraform-that-is-not-installed');
    await expect(missing(['version'], { cwd: dir, echo: false })).resolves.toEqual({
      status: 1,
      stdout: '',
      stderr: expect.stringMatching(/^terraform-that-is-not-installed: spawn terraform-that-is-not-installed ENOENT/),
    });
  });
});
