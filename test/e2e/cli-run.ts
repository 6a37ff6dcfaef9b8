// Runs the `mqfleet` binary (packages/cli/bin/mqfleet.cjs over dist/) as a user would: a process
// per command, a clean environment (no MQFLEET_* of the machine) and the test's own configuration
// directory (XDG_CONFIG_HOME), so that the token file is the test's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@mqfleet/testkit';

const BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'mqfleet.cjs');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export type Cli = (
  args: string[],
  options?: { env?: Record<string, string>; stdin?: string },
) => Promise<Ran>;

/** A runner whose commands keep their token under `configHome`. */
export function cliIn(configHome: string): Cli {
  return (args, options = {}) =>
    new Promise((resolve) => {
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MQFLEET_')));
      const child = execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...base, XDG_CONFIG_HOME: configHome, ...options.env }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin!.end(options.stdin ?? '');
    });
}

/** Asserts exit status 0. */
export function ok(ran: Ran): Ran {
  assert.equal(ran.code, 0, `exit ${ran.code}: ${ran.stderr}${ran.stdout}`);
  return ran;
}

/** The --json output of a command that succeeded. */
export function json(ran: Ran): Record<string, unknown> {
  return JSON.parse(ok(ran).stdout) as Record<string, unknown>;
}
