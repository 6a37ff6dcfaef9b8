// The `mqfleet` command line (packages/cli, docs/cli.md), its login and its failures: the real
// binary against the real services (./system), each command a process of its own (./cli-run).
// The session commands on live devices are in cli-sessions.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_FIELDS } from '@mqfleet/core';
import { freePort } from '@mqfleet/testkit';
import { cliIn, json, ok, type Cli } from './cli-run';
import { startSystem, type System } from './system';

describe('mqfleet CLI: login, tokens, errors, completion', () => {
  let system: System;
  let configHome: string;
  let cli: Cli;

  before(async () => {
    system = await startSystem();
    configHome = mkdtempSync(join(tmpdir(), 'mqfleet-cli-'));
    cli = cliIn(configHome);
  });
  after(async () => {
    await system?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it('without a login says how to log in, and exits 1', async () => {
    const ran = await cli(['sessions', 'list', '--url', system.baseUrl]);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /not logged in: run "mqfleet login" or set MQFLEET_TOKEN/);
  });

  it('login with a wrong password shows the API error 12033 and keeps no token', async () => {
    const ran = await cli(['login', '--url', system.baseUrl, '--username', 'ADMIN'], { stdin: 'wrong\n' });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /\(errorCode 12033\)/);
    assert.throws(() => statSync(join(configHome, 'mqfleet', 'credentials.json')), /ENOENT/);
  });

  it('login keeps the token in a 0600 file that the next commands use (with the URL)', async () => {
    const ran = ok(
      await cli(['login', '--url', system.baseUrl, '--username', 'ADMIN'], { stdin: 'ADMIN\n' }),
    );
    const file = join(configHome, 'mqfleet', 'credentials.json');
    assert.match(ran.stdout, new RegExp(`logged in to .* as ADMIN; token kept in ${file}`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(configHome, 'mqfleet')).mode & 0o777, 0o700);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { token: string; url: string };
    assert.equal(saved.url, `${system.baseUrl}/`);
    // The token is a real one: the API accepts it.
    const res = await system.api('listMqSessions', {}, { authToken: saved.token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    // No --url: the saved one.
    const listed = json(await cli(['sessions', 'list', '--json']));
    assert.deepEqual(listed.data, []);
  });

  it('MQFLEET_TOKEN and MQFLEET_API_URL take the place of the login', async () => {
    const token = await system.login();
    const other = mkdtempSync(join(tmpdir(), 'mqfleet-cli-env-'));
    try {
      const ran = await cli(['accounts', 'list', '--json'], {
        env: { XDG_CONFIG_HOME: other, MQFLEET_TOKEN: token, MQFLEET_API_URL: system.baseUrl },
      });
      assert.deepEqual(
        (json(ran).data as { username: string }[]).map((a) => a.username),
        ['ADMIN'],
      );
      const bad = await cli(['accounts', 'list'], {
        env: { XDG_CONFIG_HOME: other, MQFLEET_TOKEN: 'not-a-token', MQFLEET_API_URL: system.baseUrl },
      });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /\(errorCode 12031\)/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('an API that is not there: a clear message, exit 1', async () => {
    const ran = await cli(['sessions', 'list', '--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /cannot reach the JSON API at http:\/\/127\.0\.0\.1:\d+\/api \(ECONNREFUSED\)/);
  });

  it('prints bash and zsh completion scripts, and completes commands and options', async () => {
    const bash = ok(await cli(['completion', 'bash']));
    assert.match(bash.stdout, /complete -o bashdefault -o default -F _mqfleet_yargs_completions mqfleet/);
    const zsh = ok(await cli(['completion', 'zsh']));
    assert.match(zsh.stdout, /^#compdef mqfleet$/m);
    assert.match(zsh.stdout, /compdef _mqfleet_yargs_completions mqfleet/);

    const commands = ok(await cli(['--get-yargs-completions', 'mqfleet', 'session', 'al']));
    assert.ok(commands.stdout.split('\n').includes('alter'), commands.stdout);
    const options = ok(await cli(['--get-yargs-completions', 'mqfleet', 'session', 'alter', 'd', '--']));
    // Every property of the session field table is an option of session alter.
    const offered = new Set(options.stdout.split('\n'));
    const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const missing = SESSION_FIELDS.map((f) => `--${kebab(f.name)}`).filter((o) => !offered.has(o));
    assert.deepEqual(missing, []);
    assert.ok(
      offered.has('--keep-alive') && offered.has('--will-delay'),
      'the short forms of the *Seconds options',
    );
  });

  it('logout ends the session: its token no longer works', async () => {
    const file = join(configHome, 'mqfleet', 'credentials.json');
    const { token } = JSON.parse(readFileSync(file, 'utf8')) as { token: string };
    ok(await cli(['logout']));
    assert.throws(() => statSync(file), /ENOENT/);
    const res = await system.api('listMqSessions', {}, { authToken: token });
    assert.equal(res.body.errorCode, 12031);
  });
});
