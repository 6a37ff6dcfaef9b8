// A nats-server of a test's own (JetStream on, its own port and store directory), for tests that
// stop, kill and restart NATS; never the shared server other tests use.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const NATS_SERVER = process.env.MQFLEET_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/** A nats-server with JetStream on a port and store directory this test owns. */
export class OwnNats {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly storeDir: string,
    /**
     * A configuration file to run instead of the command-line flags (it must say this port and
     * store directory itself), and the environment its $VARIABLES read.
     */
    private readonly from: { configFile: string; env?: Record<string, string> } | undefined = undefined,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('nats-server is already running');
    const args = this.from
      ? ['-c', this.from.configFile]
      : ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    const child = spawn(NATS_SERVER, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.from?.env },
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server not ready:\n${output}`)), 15000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}):\n${output}`));
      });
    });
  }

  /** SIGTERM (or the given signal), then waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}
