// Small pieces the views share: the error line, filters of listMqSessions, formatting.
import { html } from 'htm/preact';
import type { Json } from '../api';

export function ErrorLine({ error }: { error: string }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
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
    <label
      >Name begins with
      <input
        name="partialClientName"
        value=${filter.partialClientName}
        onInput=${(e: Event) => onChange({ ...filter, partialClientName: (e.target as HTMLInputElement).value })}
    /></label>
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
