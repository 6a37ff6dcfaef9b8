// A nats-server of a test's own (JetStream on, its own port and store directory), for tests that
// stop, kill and restart NATS or run it as deploy/ does (deploy/nats/nats.conf, accounts.conf and
// the nkey logins of scripts/nats-nkeys.mjs); never the shared server other tests use.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killOnExit, REPO_ROOT } from './process';

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

  /**
   * A server that runs `config` (which must say `port` and `storeDir` itself) written as
   * `confDir`/nats.conf beside a copy of deploy/nats/accounts.conf, for the config to include
   * (`include ./accounts.conf`); `env` are the variables the two files read. Not started.
   */
  static withAccounts(options: {
    confDir: string;
    port: number;
    storeDir: string;
    config: string;
    env: Record<string, string>;
  }): OwnNats {
    const { confDir, port, storeDir, config, env } = options;
    mkdirSync(confDir, { recursive: true });
    writeFileSync(join(confDir, 'nats.conf'), config);
    copyFileSync(join(REPO_ROOT, 'deploy/nats/accounts.conf'), join(confDir, 'accounts.conf'));
    return new OwnNats(port, storeDir, { configFile: join(confDir, 'nats.conf'), env });
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The nats-server's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
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
    killOnExit(child);
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

/** The NATS logins of deploy/nats/accounts.conf, made as deploy/README.md says. */
export interface NatsNkeys {
  /** The variables the nats-server's configuration reads (NATS_SESSION_SERVICE_NKEY, NATS_GATEWAY_NKEY). */
  publicKeys: Record<string, string>;
  /** The seed files, each a service's MQFLEET_NATS_NKEY_SEED_FILE. */
  seeds: { sessionService: string; gateway: string };
}

/** Runs scripts/nats-nkeys.mjs: seeds written below `dir`/keys, public keys from what it prints. */
export function makeNatsNkeys(dir: string): NatsNkeys {
  const keysDir = join(dir, 'keys');
  const printed = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/nats-nkeys.mjs'), keysDir], {
    encoding: 'utf8',
  });
  const publicKeys = Object.fromEntries(
    printed
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  );
  return {
    publicKeys,
    seeds: { sessionService: join(keysDir, 'session-service.nk'), gateway: join(keysDir, 'gateway.nk') },
  };
}

/** The seed in a seed file, for nkeyAuthenticator or nkeys.fromSeed. */
export function readNkeySeed(file: string): Uint8Array {
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

/** Where a nats-server made from deploy/nats/nats.conf listens on this machine. */
export interface DeployNatsNode {
  /** Client port (4222 in the deploy file). */
  port: number;
  storeDir: string;
  /** JetStream's file store limit in place of the deployed 10GB, e.g. "2GB". */
  maxFileStore: string;
  /** The monitoring port (8222 in the deploy file); without it, no monitoring. */
  httpPort?: number;
  /**
   * This node's cluster port (6222 in the deploy file) and every node's, indexed as nats-0, nats-1,
   * … in the deploy file's routes; without it the cluster block is left out (a single server).
   */
  cluster?: { port: number; routePorts: number[] };
}

/**
 * deploy/nats/nats.conf for a nats-server on this machine: loopback
 * addresses, the node's ports and store directory, a smaller store, and routes to the nodes'
 * cluster ports in place of the host names (or no cluster block). Every other setting (server
 * name, accounts, JetStream, cluster name and retries, payload limit, lame duck) stays as
 * deployed; throws when the deploy file no longer holds what is replaced or kept.
 */
export function deployNatsConfig(node: DeployNatsNode): string {
  let config = readFileSync(join(REPO_ROOT, 'deploy/nats/nats.conf'), 'utf8');
  const replace = (pattern: RegExp, by: string, what: string): void => {
    assert.match(config, pattern, `deploy/nats/nats.conf has ${what}`);
    config = config.replace(pattern, by);
  };
  replace(/^port: 4222$/m, `host: 127.0.0.1\nport: ${node.port}`, 'port: 4222');
  replace(
    /^http_port: 8222$/m,
    node.httpPort === undefined ? '' : `http: 127.0.0.1:${node.httpPort}`,
    'http_port: 8222',
  );
  replace(/store_dir: \/data/, `store_dir: ${JSON.stringify(node.storeDir)}`, 'store_dir: /data');
  replace(/max_file_store: 10GB/, `max_file_store: ${node.maxFileStore}`, 'max_file_store: 10GB');
  const kept = [
    'server_name: $NATS_SERVER_NAME',
    'include ./accounts.conf',
    'jetstream {',
    'max_payload: 8MB',
  ];
  if (node.cluster) {
    const { port, routePorts } = node.cluster;
    const routes = /nats-route:\/\/nats-(\d):6222/g;
    assert.equal(
      [...config.matchAll(routes)].length,
      routePorts.length,
      `deploy/nats/nats.conf routes to ${routePorts.length} nodes`,
    );
    replace(/^ {2}port: 6222$/m, `  host: 127.0.0.1\n  port: ${port}`, 'a cluster port 6222');
    config = config.replace(routes, (_, i: string) => `nats-route://127.0.0.1:${routePorts[Number(i)]!}`);
    kept.push('name: mqfleet', 'connect_retries: 120');
  } else {
    replace(/\ncluster \{[\s\S]*?\n\}\n?/, '\n', 'a cluster block');
    assert.doesNotMatch(config, /\ncluster \{|routes/, 'no cluster left');
  }
  for (const line of kept) assert.ok(config.includes(line), `kept from deploy/nats/nats.conf: ${line}`);
  assert.doesNotMatch(
    config,
    /store_dir: \/data|nats-route:\/\/nats-|\b(4222|6222|8222)\b|10GB/,
    'every deploy address and path replaced',
  );
  return config;
}
