import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CONFIG_FILE_VARIABLE, ENVIRONMENTS_DIR, loadEnvironment } from '@txn-dr/config';
import { createAwsClients } from './aws/clients';
import { AwsWorld } from './aws/world';
import { runCli } from './cli';
import { systemClock } from './clock';
import { drillProfile } from './drill/profile';
import { fetchGet } from './http';
import { LocalWorld, readWorldInfo } from './local/local-world';

// The first Ctrl-C stops the run before its next change or inside its current wait, and writes the
// report with the resume command; a second one kills the process as usual.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

/** Asks on the terminal; without one, refuses rather than guessing. Ctrl-C at the prompt interrupts the run. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}\nstdin is not a terminal: rerun with --yes to confirm destructive steps.\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // On a terminal readline takes Ctrl-C itself: hand it to the run.
  rl.once('SIGINT', () => interrupt.abort());
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: interrupt.signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// DR_WORLD names a local world's description (`dr drill up` prints it): the same commands then
// drive that world instead of AWS, with the waits of its profile.
const localWorld = process.env['DR_WORLD'] ? readWorldInfo(process.env['DR_WORLD']) : undefined;

runCli(process.argv.slice(2), {
  loadEnvironment: (options) => {
    const env = loadEnvironment(options);
    // A drill runs the local world and the operator CLI as processes of their own, which inherit
    // this one's variables: through the variable, they load the same file as --config named.
    if (options.configFile !== undefined) process.env[CONFIG_FILE_VARIABLE] = resolve(options.configFile);
    return env;
  },
  createWorld: (targets, options) =>
    localWorld ? new LocalWorld(localWorld, targets, options) : new AwsWorld(targets, createAwsClients(targets, options), { http: fetchGet, ...options }),
  ...(localWorld
    ? {
        waits: drillProfile(localWorld.profile, loadEnvironment()).waits,
        // A local world keeps its own lock, so drills never contend with a real environment's.
        lock: { location: { kind: 'file' as const, path: join(localWorld.dir, 'operations-lock.json') }, operator: `local operator ${userInfo().username}` },
      }
    : {}),
  clock: systemClock,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  confirm: confirmOnTerminal,
  signal: interrupt.signal,
  root: process.cwd(),
  environmentsDir: ENVIRONMENTS_DIR,
  ...(process.env[CONFIG_FILE_VARIABLE] ? { configFileVariable: process.env[CONFIG_FILE_VARIABLE] } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
