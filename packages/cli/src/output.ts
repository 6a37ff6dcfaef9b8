// How results are shown: --json prints the API's result as it is (for scripts and jq); otherwise
// human tables (cli-table3) and short sentences. Warnings of the API go to stderr either way.
import Table from 'cli-table3';
import type { Warning } from './api';

/** A cell's text: strings as they are, null as "-", anything else as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function table(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map(cell));
  return t.toString();
}

/** One object as a two-column table of its properties. */
export function properties(object: Record<string, unknown>): string {
  const t = new Table({ style: { head: [], border: [] } });
  for (const [key, value] of Object.entries(object)) t.push({ [key]: cell(value) });
  return t.toString();
}

export function printWarnings(warnings: Warning[]): void {
  for (const w of warnings)
    process.stderr.write(`warning ${w.warningCode ?? ''}: ${w.warningMessage ?? ''}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
