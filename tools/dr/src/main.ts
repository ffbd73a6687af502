import { createInterface } from 'node:readline/promises';
import { ENVIRONMENTS_DIR, loadEnvironment } from '@txn-dr/config';
import { createAwsClients } from './aws/clients';
import { AwsWorld } from './aws/world';
import { runCli } from './cli';
import { systemClock } from './clock';
import { fetchGet } from './http';

/** Asks on the terminal; without one, refuses rather than guessing. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}\nstdin is not a terminal: rerun with --yes to confirm destructive steps.\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// The first Ctrl-C stops the run at the next wait and writes the report with the resume command;
// a second one kills the process as usual.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

runCli(process.argv.slice(2), {
  loadEnvironment: () => loadEnvironment(),
  createWorld: (targets, options) => new AwsWorld(targets, createAwsClients(targets, options), { http: fetchGet, ...options }),
  clock: systemClock,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  confirm: confirmOnTerminal,
  signal: interrupt.signal,
  root: process.cwd(),
  environmentsDir: ENVIRONMENTS_DIR,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
