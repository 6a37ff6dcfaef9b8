// Where `mqfleet login` keeps its token: credentials.json in the user's configuration directory
// (env-paths: $XDG_CONFIG_HOME/mqfleet or ~/.config/mqfleet on Linux), readable by its owner
// only (0600, in a 0700 directory). MQFLEET_TOKEN and MQFLEET_API_URL, when set, take precedence.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { CliError } from './api';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface Credentials {
  url: string;
  token: string;
  username: string;
}

export function configDir(): string {
  return envPaths('mqfleet', { suffix: '' }).config;
}

export function credentialsFile(): string {
  return join(configDir(), 'credentials.json');
}

export function readCredentials(): Credentials | undefined {
  const file = credentialsFile();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CliError(
      `${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file} (or mqfleet login again)`,
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.token !== 'string' || typeof parsed.url !== 'string')
      throw new Error('no token or url');
    return { url: parsed.url, token: parsed.token, username: String(parsed.username ?? '') };
  } catch (err) {
    throw new CliError(`${file} is not what mqfleet login writes (${(err as Error).message}); log in again`);
  }
}

export function writeCredentials(credentials: Credentials): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = credentialsFile();
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode above applies only to a new file
  return file;
}

export function removeCredentials(): void {
  rmSync(credentialsFile(), { force: true });
}

/** The API's address: --url, MQFLEET_API_URL, the one logged in to, or the default. */
export function resolveUrl(option: string | undefined): string {
  const url = option ?? process.env.MQFLEET_API_URL ?? readCredentials()?.url ?? DEFAULT_URL;
  try {
    return new URL(url).toString();
  } catch {
    throw new CliError(
      `"${url}" is not a URL; give the api-gateway's address, e.g. ${DEFAULT_URL}`,
      undefined,
      2,
    );
  }
}

/** The token every command but login sends: MQFLEET_TOKEN, else the saved one. */
export function resolveToken(): string {
  const fromEnv = process.env.MQFLEET_TOKEN;
  if (fromEnv) return fromEnv;
  const saved = readCredentials();
  if (saved) return saved.token;
  throw new CliError('not logged in: run "mqfleet login" or set MQFLEET_TOKEN');
}
