// Runs third-party command-line clients (mosquitto_pub/sub, python3 with paho) for the
// interoperability tests, and waits on their output or exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';

export interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches; rejects if the process exits first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Runs a command with its stdout line-buffered (stdbuf), so that progress lines such as
 * mosquitto's -d "received SUBACK" reach us as they happen rather than at exit.
 */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {},
): Run {
  const { stdin, ...spawnOptions } = options;
  const child = spawn('stdbuf', ['-oL', '-eL', command, ...args], {
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...spawnOptions,
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let output = '';
  const changed = new EventEmitter();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    changed.emit('change');
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  // 'close', not 'exit': a process may have exited while the end of its output is still in the
  // pipe (CI once saw mosquitto_pub's exit code 0 without its last lines, "received PUBACK").
  const exited = once(child, 'close').then(([code]) => {
    changed.emit('change');
    return code as number | null;
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 10000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(output)) finish();
        else if (child.exitCode !== null || child.signalCode !== null)
          finish(new Error(`${command} exited (${child.exitCode}) before ${pattern}: ${output}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${command}: no ${pattern} within ${timeoutMs} ms: ${output}`)),
        timeoutMs,
      );
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        changed.off('change', check);
        if (err) reject(err);
        else resolve();
      };
      changed.on('change', check);
      check();
    });
  return { child, output: () => output, exited, waitForOutput };
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
