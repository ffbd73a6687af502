import { spawn } from 'node:child_process';

/** What a finished command printed, and how it exited. */
export interface CommandResult {
  /** The exit status; a command killed by a signal or that could not start counts as 1. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** The directory the command runs in: for Terraform, the synthesized stack. */
  readonly cwd: string;
  /** Pass the output on to this process's as it comes (a plan or an apply), besides keeping it. */
  readonly echo: boolean;
}

/** Runs one Terraform command (`['plan', '-out=...']`); injected so that tests need no Terraform. */
export type TerraformRunner = (args: readonly string[], options: CommandOptions) => Promise<CommandResult>;

/**
 * A runner for `command`: spawns it without a shell, keeps its output and, when asked, echoes it
 * while it runs, so that an apply of half an hour shows its progress and the runner can still read
 * what Terraform said at the end. A command that cannot start (not on PATH) resolves with status 1
 * and the reason on stderr, like a failed one.
 */
export function commandRunner(command: string): TerraformRunner {
  return (args, { cwd, echo }) =>
    new Promise((resolve) => {
      const child = spawn(command, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        if (echo) process.stdout.write(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        if (echo) process.stderr.write(chunk);
      });
      let settled = false;
      const finish = (status: number, extra = '') => {
        if (settled) return;
        settled = true;
        resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') + extra });
      };
      child.on('error', (error) => finish(1, `${command}: ${error.message}\n`));
      child.on('close', (code) => finish(code ?? 1));
    });
}

export const runTerraform: TerraformRunner = commandRunner('terraform');
