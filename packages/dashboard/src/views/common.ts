// Small pieces the views share: the error line and the outcome of an action, a table with a
// header row, a labelled text input, filters of listMqSessions, formatting.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Json } from '../api';

export function ErrorLine({ error }: { error: string }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

/** What the last action of a view came to: its error, or its note (with a test id if given). */
export function Outcome({ error, note, testid }: { error: string; note: string; testid?: string }) {
  return html`<${ErrorLine} error=${error} />
    ${note && html`<p class="ok" data-testid=${testid}>${note}</p>`}`;
}

/**
 * Runs a view's JSON actions one at a time: clears the last error and note, runs the call, sets
 * the note (`done`, or made from the result), then reads the view again (`reload`); a failure
 * of the call or of the reload becomes the error line. `setError` is for the view's own loads.
 */
export function useAction(reload: () => unknown) {
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const run = async (
    work: () => Promise<Json>,
    done?: string | ((result: Json) => string),
  ): Promise<void> => {
    setError('');
    setNote('');
    try {
      const result = await work();
      if (done !== undefined) setNote(typeof done === 'string' ? done : done(result));
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return { error, setError, note, run };
}

/** A table with one header row of plain column titles; the rows are its children. */
export function Table({
  testid,
  columns,
  children,
}: {
  testid: string;
  columns: string[];
  children: ComponentChildren;
}) {
  return html`<table data-testid=${testid}>
    <thead>
      <tr>
        ${columns.map((c) => html`<th>${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${children}
    </tbody>
  </table>`;
}

/** A one-line form (class "inline") whose submit runs `onSubmit` instead of loading a page. */
export function InlineForm({ onSubmit, children }: { onSubmit: () => unknown; children: ComponentChildren }) {
  return html`<form
    class="inline"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      void onSubmit();
    }}
  >
    ${children}
  </form>`;
}

/** A labelled text input bound to a value. */
export function TextField({
  label,
  name,
  value,
  onValue,
  type,
  autocomplete,
}: {
  label: string;
  name: string;
  value: string;
  onValue: (v: string) => void;
  type?: string;
  autocomplete?: string;
}) {
  return html`<label
    >${label}
    <input
      name=${name}
      type=${type}
      autocomplete=${autocomplete}
      value=${value}
      onInput=${(e: Event) => onValue((e.target as HTMLInputElement).value)}
  /></label>`;
}

export const CONNECTION_STATUSES = ['connected', 'connectedTemporarily', 'disconnected'];
export const SESSION_STATUSES = ['normal', 'hidden', 'banned', 'inactive'];
export const HEALTHS = ['healthy', 'unhealthy', 'offline'];
export const SESSION_TYPES = ['mqtt', 'mqApi'];

export interface Filter {
  partialClientName: string;
  connectionStatusFilter: string[];
  sessionStatusFilter: string[];
  healthFilter: string[];
  sessionTypeFilter: string[];
  labelId: string;
}

export const EMPTY_FILTER: Filter = {
  partialClientName: '',
  connectionStatusFilter: [],
  sessionStatusFilter: [],
  healthFilter: [],
  sessionTypeFilter: [],
  labelId: '',
};

/** The filter as listMqSessions / alterMqSessions take it (empty parts left out). */
export function filterParams(f: Filter): Json {
  const p: Json = {};
  if (f.partialClientName) p.partialClientName = f.partialClientName;
  for (const key of [
    'connectionStatusFilter',
    'sessionStatusFilter',
    'healthFilter',
    'sessionTypeFilter',
  ] as const) {
    if (f[key].length > 0) p[key] = f[key];
  }
  if (f.labelId) p.labelId = Number(f.labelId);
  return p;
}

function Choices({
  name,
  values,
  chosen,
  onChange,
}: {
  name: string;
  values: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
}) {
  return html`<fieldset class="choices" data-filter=${name}>
    <legend>${name.replace(/Filter$/, '')}</legend>
    ${values.map(
      (v) =>
        html`<label
          ><input
            type="checkbox"
            name=${`${name}-${v}`}
            checked=${chosen.includes(v)}
            onChange=${(e: Event) =>
              onChange(
                (e.target as HTMLInputElement).checked ? [...chosen, v] : chosen.filter((c) => c !== v),
              )}
          />${v}</label
        >`,
    )}
  </fieldset>`;
}

/** The filter form of listMqSessions (hidden sessions only when "hidden" is ticked). */
export function FilterForm({
  filter,
  labels,
  onChange,
}: {
  filter: Filter;
  labels: Json[];
  onChange: (f: Filter) => void;
}) {
  return html`<div class="filters">
    <${TextField}
      label="Name begins with"
      name="partialClientName"
      value=${filter.partialClientName}
      onValue=${(v: string) => onChange({ ...filter, partialClientName: v })}
    />
    <${Choices}
      name="connectionStatusFilter"
      values=${CONNECTION_STATUSES}
      chosen=${filter.connectionStatusFilter}
      onChange=${(v: string[]) => onChange({ ...filter, connectionStatusFilter: v })}
    />
    <${Choices}
      name="sessionStatusFilter"
      values=${SESSION_STATUSES}
      chosen=${filter.sessionStatusFilter}
      onChange=${(v: string[]) => onChange({ ...filter, sessionStatusFilter: v })}
    />
    <${Choices}
      name="healthFilter"
      values=${HEALTHS}
      chosen=${filter.healthFilter}
      onChange=${(v: string[]) => onChange({ ...filter, healthFilter: v })}
    />
    <${Choices}
      name="sessionTypeFilter"
      values=${SESSION_TYPES}
      chosen=${filter.sessionTypeFilter}
      onChange=${(v: string[]) => onChange({ ...filter, sessionTypeFilter: v })}
    />
    <label
      >Label
      <${LabelSelect}
        name="labelId"
        labels=${labels}
        value=${filter.labelId}
        onChange=${(v: string) => onChange({ ...filter, labelId: v })}
    /></label>
  </div>`;
}

export function LabelSelect({
  name,
  labels,
  value,
  onChange,
  none = 'any',
}: {
  name: string;
  labels: Json[];
  value: string;
  onChange: (v: string) => void;
  none?: string;
}) {
  return html`<select
    name=${name}
    value=${value}
    onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}
  >
    <option value="">${none}</option>
    ${labels.map((l) => html`<option value=${String(l.id)}>${labelText(l)}</option>`)}
  </select>`;
}

export function labelText(label: Json | null | undefined): string {
  if (!label) return '';
  return label.group
    ? `${label.group}${label.group.endsWith('/') ? '' : '/'}${label.name}`
    : String(label.name);
}

export const sessionHref = (name: string): string => `#/session/${encodeURIComponent(name)}`;
