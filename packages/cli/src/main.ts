// `mqfleet`: the command line of the JSON API (docs/cli.md). Each command is one or two POST /api
// calls; yargs parses the command line, prints help and answers shell completion.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import yargs, { type Argv } from 'yargs';
import { callApi, CliError, type Answer, type Call } from './api';
import {
  credentialsFile,
  readCredentials,
  removeCredentials,
  resolveToken,
  resolveUrl,
  writeCredentials,
} from './credentials';
import { print, printJson, printWarnings, properties, table } from './output';

/**
 * The options of `session alter` come from @mqfleet/core's session field table, whose schemas
 * take about half a second of CPU to load; only the command that needs them loads them.
 */
const sessionOptions = (): typeof import('./session-options') =>
  createRequire(__filename)('./session-options') as typeof import('./session-options');

interface Globals {
  url?: string;
  json: boolean;
}

type Args = Globals & Record<string, unknown>;

/** One action with the saved or given token; prints the API's warnings. */
async function call(argv: Globals, action: string, params: Record<string, unknown> = {}, api?: string) {
  const request: Call = { url: resolveUrl(argv.url), action, params, authToken: resolveToken() };
  if (api) request.api = api;
  const answer: Answer = await callApi(request);
  printWarnings(answer.warnings);
  return answer.result as Record<string, unknown>;
}

/** Prints the raw result with --json, otherwise what `human` makes of it. */
function show(argv: Globals, result: unknown, human: () => string): void {
  if (argv.json) printJson(result);
  else print(human());
}

/** Wraps a command's body: an error becomes a message on stderr and a non-zero exit status. */
function act<A extends Args>(body: (argv: A) => Promise<void>) {
  return async (argv: A): Promise<void> => {
    try {
      await body(argv);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (argv.json) {
        process.stderr.write(
          `${JSON.stringify({ errorCode: err.errorCode ?? null, errorMessage: err.message })}\n`,
        );
      } else {
        const code = err.errorCode === undefined ? '' : ` (errorCode ${err.errorCode})`;
        process.stderr.write(`mqfleet: ${err.message}${code}\n`);
      }
      process.exitCode = err.exitCode;
    }
  };
}

/** The password of `login`: --password, else a line of stdin (asked for without echo on a terminal). */
async function readPassword(username: string): Promise<string> {
  const tty = process.stdin.isTTY === true;
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: tty });
  if (tty) {
    output.write(`password for ${username}: `);
    muted = true;
  }
  const line = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  if (tty) process.stderr.write('\n');
  if (line === undefined)
    throw new CliError('no password: give --password, or type it (or pipe it) on stdin', undefined, 2);
  return line;
}

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

/** Removes undefined properties, so that the API sees only what the command line gave. */
function defined(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

/** A command-line value that holds JSON (--value '{"a":1}'); text that is not JSON stays text. */
function jsonOrText(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(String(raw));
  } catch {
    return String(raw);
  }
}

function summariseAlter(result: Record<string, unknown>): string {
  const changed = (result.changedFields as string[] | undefined) ?? [];
  const live =
    result.connectionStatus === 'connected'
      ? result.liveApplied
        ? 'in force on its live connection (liveApplied)'
        : 'NOT confirmed by its gateway in time (liveApplied false)'
      : `not connected (${String(result.connectionStatus)})`;
  return [
    `${String(result.clientName)}: version ${String(result.version)}`,
    `changed: ${changed.length ? changed.join(', ') : 'nothing (already so)'}`,
    live,
  ].join('; ');
}

function sessionCommands(y: Argv<Globals>): Argv<Globals> {
  const statusChange = (command: string, status: string, what: string) =>
    y.command(
      `${command} <clientName>`,
      `${what} (alterMqSession sessionStatus ${status})`,
      (c) => c.positional('clientName', { type: 'string', demandOption: true }),
      act<Args>(async (argv) => {
        const result = await call(argv, 'alterMqSession', {
          clientName: argv.clientName,
          sessionStatus: status,
        });
        show(argv, result, () => summariseAlter(result));
      }),
    );
  y.command(
    'list',
    'List sessions (listMqSessions); hidden ones only with --status hidden',
    (c) =>
      c
        .option('status', { type: 'string', array: true, describe: 'normal|hidden|banned|inactive' })
        .option('connection', {
          type: 'string',
          array: true,
          describe: 'connected|connectedTemporarily|disconnected',
        })
        .option('type', { type: 'string', array: true, describe: 'mqtt|mqApi' })
        .option('health', { type: 'string', array: true, describe: 'healthy|unhealthy|offline' })
        .option('name', { type: 'string', describe: 'client names that begin with this' })
        .option('label-id', { type: 'string', describe: 'sessions with this label id' })
        .option('sort', {
          type: 'string',
          describe: 'clientName|lastConnect|lastDisconnect|ipAddress|sessionHealth',
        })
        .option('descending', { type: 'boolean', describe: 'sort descending' })
        .option('max', { type: 'string', describe: 'at most this many (default 1,000)' })
        .option('cursor', { type: 'string', describe: 'the next page (printed after a full page)' }),
    act<Args>(async (argv) => {
      const sort =
        argv.sort === undefined ? {} : { [argv.descending ? 'sortDescending' : 'sortAscending']: argv.sort };
      const result = await call(
        argv,
        'listMqSessions',
        defined({
          sessionStatusFilter: list(argv.status),
          connectionStatusFilter: list(argv.connection),
          sessionTypeFilter: list(argv.type),
          healthFilter: list(argv.health),
          partialClientName: argv.name,
          labelId: jsonOrText(argv.labelId),
          maxRecords: jsonOrText(argv.max),
          cursor: argv.cursor,
          ...sort,
        }),
      );
      show(argv, result, () => {
        const rows = (result.data as Record<string, unknown>[]).map((s) => [
          s.clientName,
          s.sessionType,
          s.sessionStatus,
          s.connectionStatus,
          (s.label as { group?: string; name?: string } | null)
            ? `${(s.label as { group: string }).group}${(s.label as { name: string }).name}`
            : null,
        ]);
        const more = result.nextCursor ? `\nmore: --cursor ${String(result.nextCursor)}` : '';
        return `${table(['clientName', 'type', 'status', 'connection', 'label'], rows)}\n${rows.length} session(s)${more}`;
      });
    }),
  );
  y.command(
    'describe <clientNames..>',
    'Describe sessions (describeMqSessions)',
    (c) =>
      c
        .positional('clientNames', { type: 'string', array: true, demandOption: true })
        .option('stats', { type: 'boolean', describe: 'with the live statistics (includeStats)' })
        .option('subscriptions', {
          type: 'boolean',
          describe: 'with the subscriptions (includeSubscribedTopics)',
        })
        .option('published-topics', {
          type: 'boolean',
          describe: 'with the topics published (includePublishedTopics)',
        }),
    act<Args>(async (argv) => {
      const result = await call(
        argv,
        'describeMqSessions',
        defined({
          clientNames: list(argv.clientNames),
          includeStats: argv.stats,
          includeSubscribedTopics: argv.subscriptions,
          includePublishedTopics: argv.publishedTopics,
        }),
      );
      show(argv, result, () => {
        const data = result.data as Record<string, unknown>[];
        if (data.length === 0) return 'no such session';
        return data.map((s) => properties(s)).join('\n');
      });
    }),
  );
  y.command(
    'alter <clientName>',
    'Change settings of one session, live (alterMqSession); every property is an option',
    (c) => {
      c.positional('clientName', { type: 'string', demandOption: true });
      for (const option of sessionOptions().SESSION_OPTIONS) c.option(option.flag, option.yargs);
      return c.option('expected-version', {
        type: 'string',
        describe: 'refuse the change unless the session is at this version',
      });
    },
    act<Args>(async (argv) => {
      const settings = sessionOptions().sessionParams(argv);
      if (Object.keys(settings).length === 0) {
        throw new CliError(
          'nothing to change: give at least one setting (mqfleet session alter --help)',
          undefined,
          2,
        );
      }
      const params = defined({
        clientName: argv.clientName,
        expectedVersion: jsonOrText(argv.expectedVersion),
        ...settings,
      });
      const result = await call(argv, 'alterMqSession', params);
      show(argv, result, () => summariseAlter(result));
    }),
  );
  statusChange('ban', 'banned', 'Ban a session: its client is disconnected and refused');
  statusChange('unban', 'normal', 'Lift a ban');
  statusChange('hide', 'hidden', 'Hide a session from lists');
  statusChange('unhide', 'normal', 'Show a hidden session again');
  y.command(
    'delete <clientName>',
    'Deactivate a session, or remove it with --permanently (deleteMqSession)',
    (c) =>
      c
        .positional('clientName', { type: 'string', demandOption: true })
        .option('permanently', { type: 'boolean', describe: 'remove it (permanentlyDeleteSession)' }),
    act<Args>(async (argv) => {
      const result = await call(
        argv,
        'deleteMqSession',
        defined({ clientName: argv.clientName, permanentlyDeleteSession: argv.permanently }),
      );
      show(
        argv,
        result,
        () =>
          `${String(result.clientName)}: ${String(result.sessionStatus)}` +
          (result.wasConnected ? ' (its client was disconnected)' : ''),
      );
    }),
  );
  y.command(
    'audit <clientName>',
    "A session's changes, version by version (getMqSessionAudit)",
    (c) =>
      c
        .positional('clientName', { type: 'string', demandOption: true })
        .option('after', { type: 'string', describe: 'changes after this version' })
        .option('max', { type: 'string', describe: 'at most this many (default 100)' }),
    act<Args>(async (argv) => {
      const result = await call(
        argv,
        'getMqSessionAudit',
        defined({
          clientName: argv.clientName,
          afterVersion: jsonOrText(argv.after),
          maxRecords: jsonOrText(argv.max),
        }),
      );
      show(argv, result, () =>
        table(
          ['version', 'at', 'actor', 'action', 'changes'],
          (result.data as Record<string, unknown>[]).map((a) => [
            a.version,
            a.at,
            a.actor,
            a.action,
            a.changes,
          ]),
        ),
      );
    }),
  );
  return y.demandCommand(
    1,
    'name a sessions command: list, describe, alter, ban, unban, hide, unhide, delete, audit',
  );
}

function accountCommands(y: Argv<Globals>): Argv<Globals> {
  const showAccount = (argv: Args, result: Record<string, unknown>) =>
    show(argv, result, () => properties(result));
  y.command(
    'list',
    'List accounts (listAccounts)',
    (c) => c.option('name', { type: 'string', describe: 'names that contain this' }),
    act<Args>(async (argv) => {
      const result = await call(argv, 'listAccounts', defined({ partialUsername: argv.name }), 'admin');
      show(argv, result, () =>
        table(
          ['username', 'role', 'createdAt'],
          (result.data as Record<string, unknown>[]).map((a) => [a.username, a.role, a.createdAt]),
        ),
      );
    }),
  );
  y.command(
    'create <username>',
    'Create an account (createAccount)',
    (c) =>
      c
        .positional('username', { type: 'string', demandOption: true })
        .option('password', { type: 'string', demandOption: true, requiresArg: true })
        .option('role', { type: 'string', describe: 'admin|user (default user)' }),
    act<Args>(async (argv) => {
      const params = defined({ username: argv.username, password: argv.password, role: argv.role });
      showAccount(argv, await call(argv, 'createAccount', params, 'admin'));
    }),
  );
  y.command(
    'alter <username>',
    "Change an account's password and/or role (alterAccount)",
    (c) =>
      c
        .positional('username', { type: 'string', demandOption: true })
        .option('password', { type: 'string', requiresArg: true })
        .option('role', { type: 'string', describe: 'admin|user' }),
    act<Args>(async (argv) => {
      const params = defined({ username: argv.username, password: argv.password, role: argv.role });
      showAccount(argv, await call(argv, 'alterAccount', params, 'admin'));
    }),
  );
  y.command(
    'delete <username>',
    'Delete an account and its sessions (deleteAccount)',
    (c) => c.positional('username', { type: 'string', demandOption: true }),
    act<Args>(async (argv) => {
      showAccount(argv, await call(argv, 'deleteAccount', { username: argv.username }, 'admin'));
    }),
  );
  return y.demandCommand(1, 'name an accounts command: list, create, alter, delete');
}

function labelCommands(y: Argv<Globals>): Argv<Globals> {
  const labelRows = (data: Record<string, unknown>[]) =>
    data.map((l) => [l.id, l.group, l.name, l.value, l.enum, l.deprecated]);
  const labelHead = ['id', 'group', 'name', 'value', 'enum', 'deprecated'];
  y.command(
    'list',
    'List labels (listLabels)',
    (c) =>
      c
        .option('group', { type: 'string', array: true, describe: 'labels of these groups' })
        .option('name', { type: 'string', describe: 'names that begin with this' }),
    act<Args>(async (argv) => {
      const result = await call(
        argv,
        'listLabels',
        defined({ groupFilter: list(argv.group), partialNameFilter: argv.name }),
        'admin',
      );
      show(argv, result, () => table(labelHead, labelRows(result.data as Record<string, unknown>[])));
    }),
  );
  y.command(
    'create <name>',
    'Create a label (createLabel)',
    (c) =>
      c
        .positional('name', { type: 'string', demandOption: true })
        .option('group', { type: 'string', describe: 'its group (default "")' })
        .option('description', { type: 'string' })
        .option('value', { type: 'string', describe: 'any JSON value' })
        .option('enum', { type: 'string', describe: 'an integer' }),
    act<Args>(async (argv) => {
      const params = defined({
        name: argv.name,
        group: argv.group,
        description: argv.description,
        value: jsonOrText(argv.value),
        enum: jsonOrText(argv.enum),
      });
      const result = await call(argv, 'createLabel', params, 'admin');
      show(argv, result, () => table(labelHead, labelRows([result])));
    }),
  );
  y.command(
    'delete <name>',
    'Delete a label that no session carries (changeLabels)',
    (c) =>
      c
        .positional('name', { type: 'string', demandOption: true })
        .option('group', { type: 'string', describe: 'its group (default "")' }),
    act<Args>(async (argv) => {
      const entry = defined({ name: argv.name, group: argv.group, delete: true });
      const result = await call(argv, 'changeLabels', { labelsToChange: [entry] }, 'admin');
      show(argv, result, () => {
        const data = result.data as Record<string, unknown>[];
        return data.length ? `deleted:\n${table(labelHead, labelRows(data))}` : 'no such label';
      });
    }),
  );
  return y.demandCommand(1, 'name a labels command: list, create, delete');
}

/** `propagation`'s sentence and table (describeAlterationPropagation's result.data). */
function summarisePropagation(data: Record<string, unknown>): string {
  const window = `the last ${String(data.windowSeconds)} s`;
  if (data.count === 0) return `no alteration was put in force on a live connection in ${window}`;
  const head =
    `${String(data.count)} alteration(s) put in force on live connections in ${window}, ` +
    `reported by ${String(data.gateways)} gateway(s); ms from written to in force:`;
  const times = table(
    ['p50', 'p90', 'p99', 'max', 'mean'],
    [[data.p50Ms, data.p90Ms, data.p99Ms, data.maxMs, data.meanMs]],
  );
  return `${head}\n${times}`;
}

/**
 * yargs names an unknown option twice, as given and in camel case ("Unknown arguments: keep-alive,
 * keepAlive"); the message keeps the one the user typed.
 */
function withoutCamelCaseTwins(message: string): string {
  const match = /^(Unknown arguments?: )(.*)$/s.exec(message);
  if (!match) return message;
  const names = match[2]!.split(', ');
  const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  const kept = names.filter(
    (n) => !names.some((other) => other !== n && other.includes('-') && camel(other) === n),
  );
  return `${kept.length === 1 ? 'Unknown argument: ' : 'Unknown arguments: '}${kept.join(', ')}`;
}

/** The yargs program; `argv` without the node and script paths. */
export function program(argv: string[]): Argv<Globals> {
  return yargs(argv)
    .scriptName('mqfleet')
    .usage('$0 <command>: administer an mqfleet broker through its JSON API (docs/cli.md)')
    .option('url', {
      type: 'string',
      global: true,
      describe: 'the JSON API (default: MQFLEET_API_URL, the one logged in to, http://127.0.0.1:8080)',
    })
    .option('json', {
      type: 'boolean',
      global: true,
      default: false,
      describe: "print the API's raw result as JSON",
    })
    .command(
      'login',
      'Log in (createSession) and keep the token in the user config directory (mode 0600)',
      (c) =>
        c
          .option('username', { alias: 'u', type: 'string', default: 'ADMIN', requiresArg: true })
          .option('password', {
            alias: 'p',
            type: 'string',
            requiresArg: true,
            describe: 'else read from stdin',
          })
          .option('idle-timeout', {
            type: 'string',
            describe: 'idleConnectionTimeoutSeconds (default 3600)',
          }),
      act<Args>(async (argv) => {
        const url = resolveUrl(argv.url);
        const username = String(argv.username);
        const password = argv.password === undefined ? await readPassword(username) : String(argv.password);
        const answer = await callApi({
          url,
          api: 'admin',
          action: 'createSession',
          params: defined({ username, password, idleConnectionTimeoutSeconds: jsonOrText(argv.idleTimeout) }),
        });
        const result = answer.result as Record<string, unknown>;
        const token = String(result.authToken ?? answer.authToken ?? '');
        if (!token) throw new CliError('createSession answered without a token');
        const file = writeCredentials({ url, token, username });
        show(
          argv,
          { username, url, credentialsFile: file },
          () => `logged in to ${url} as ${username}; token kept in ${file}`,
        );
      }),
    )
    .command(
      'logout',
      'End the saved session (deleteSession) and forget its token',
      () => undefined,
      act<Args>(async (argv) => {
        const saved = readCredentials();
        if (!saved) throw new CliError(`not logged in (no ${credentialsFile()})`);
        await callApi({ url: saved.url, api: 'admin', action: 'deleteSession', authToken: saved.token });
        removeCredentials();
        show(argv, {}, () => `logged out of ${saved.url}`);
      }),
    )
    .command(
      ['sessions', 'session'],
      'MQTT and MQ API sessions: list, describe, alter, ban, …',
      sessionCommands,
    )
    .command(['accounts', 'account'], 'Accounts: list, create, alter, delete', accountCommands)
    .command(['labels', 'label'], 'Session labels: list, create, delete', labelCommands)
    .command(
      'gateways',
      'The live connection-gateways (listGateways)',
      () => undefined,
      act<Args>(async (argv) => {
        const result = await call(argv, 'listGateways', {}, 'mq');
        show(argv, result, () =>
          table(
            ['gatewayId', 'host', 'mqttPort', 'connections', 'lastSeenAt'],
            (result.data as Record<string, unknown>[]).map((g) => [
              g.gatewayId,
              g.host,
              g.mqttPort,
              g.connections,
              g.lastSeenAt,
            ]),
          ),
        );
      }),
    )
    .command(
      'propagation',
      'How long alterations took to be in force on live connections, fleet-wide (describeAlterationPropagation)',
      (c) =>
        c.option('window-seconds', {
          alias: 'window',
          type: 'string',
          describe: 'over the last this many seconds, 1 to 300 (windowSeconds, default 60)',
        }),
      act<Args>(async (argv) => {
        const result = await call(
          argv,
          'describeAlterationPropagation',
          defined({ windowSeconds: jsonOrText(argv.windowSeconds) }),
          'mq',
        );
        show(argv, result, () => summarisePropagation(result.data as Record<string, unknown>));
      }),
    )
    .command(
      'api <action> [params]',
      'Any JSON API action, its params as JSON: mqfleet api listTopics \'{"partialName":"plant/"}\'',
      (c) =>
        c
          .positional('action', { type: 'string', demandOption: true })
          .positional('params', { type: 'string', describe: 'a JSON object (default {})' })
          .option('api', { type: 'string', describe: 'admin|mq (default: the one the action is in)' }),
      act<Args>(async (argv) => {
        let params: unknown = {};
        if (argv.params !== undefined) {
          try {
            params = JSON.parse(String(argv.params));
          } catch (err) {
            throw new CliError(`params must be a JSON object: ${(err as Error).message}`, undefined, 2);
          }
        }
        const result = await call(
          argv,
          String(argv.action),
          params as Record<string, unknown>,
          argv.api as string,
        );
        printJson(result);
      }),
    )
    .completion('completion', 'Print the shell completion script: mqfleet completion bash|zsh')
    .demandCommand(1, 'name a command (mqfleet --help lists them)')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, err) => {
      if (err) throw err;
      process.stderr.write(
        `mqfleet: ${withoutCamelCaseTwins(message)}\n(mqfleet --help, or the command followed by --help, tells what it takes)\n`,
      );
      process.exit(2);
    });
}

/** Runs the command line (bin/mqfleet.cjs). */
export function main(argv: string[]): void {
  // yargs writes a bash completion script unless the shell looks like zsh; "completion zsh" and
  // "completion bash" choose explicitly.
  if (argv[0] === 'completion' && argv[1] === 'zsh') process.env.ZSH_NAME = 'zsh';
  if (argv[0] === 'completion' && argv[1] === 'bash') {
    delete process.env.ZSH_NAME;
    process.env.SHELL = '/bin/bash';
  }
  const args = argv[0] === 'completion' ? argv.slice(0, 1) : argv;
  program(args)
    .parseAsync()
    .catch((err: unknown) => {
      process.stderr.write(`mqfleet: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}
