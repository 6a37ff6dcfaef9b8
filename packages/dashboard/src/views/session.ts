// One session: every property describeMqSessions shows, its statistics and health, its
// subscriptions (and subscribing on its behalf), its audit trail (getMqSessionAudit), a form for
// every alterMqSession property with the API's validation messages, the result's liveApplied and
// version, and ban / hide / deactivate / delete. Session events of this client read it again.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, watchSessionEvents, type Json } from '../api';
import { ALTER_FIELDS, fromText, toText, type AlterField } from '../fields';
import { ErrorLine, InlineForm, LabelSelect, Outcome, Table, TextField, useAction } from './common';

function PropertyTable({ data, testid }: { data: Json; testid: string }) {
  return html`<table class="props" data-testid=${testid}>
    <tbody>
      ${Object.entries(data).map(
        ([k, v]) =>
          html`<tr data-prop=${k}>
            <th>${k}</th>
            <td>${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function AlterForm({ session, labels, onAltered }: { session: Json; labels: Json[]; onAltered: () => void }) {
  const initial = (): Record<string, string> =>
    Object.fromEntries(ALTER_FIELDS.map((f) => [f.name, toText(f.kind, session[f.name])]));
  const [texts, setTexts] = useState<Record<string, string>>(initial);
  const [result, setResult] = useState<Json | null>(null);
  const [error, setError] = useState<{ message: string; property?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const base = useRef(initial());
  useEffect(() => {
    // A newer version read from the server replaces the form's starting point.
    const fresh = initial();
    base.current = fresh;
    setTexts(fresh);
  }, [session.version]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const params: Json = { clientName: session.clientName, expectedVersion: session.version };
    for (const f of ALTER_FIELDS) {
      if (texts[f.name] === base.current[f.name]) continue;
      const value = fromText(f.kind, texts[f.name] ?? '');
      if (f.kind === 'label') params.labelId = value;
      else if (f.name === 'willTopic' && value === null) params.willTopic = null;
      else params[f.name] = f.kind === 'string' && value === null ? '' : value;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await call('alterMqSession', params);
      setResult(r);
      onAltered();
    } catch (err) {
      const property = err instanceof ApiError ? err.property : undefined;
      setError({ message: (err as Error).message, ...(property ? { property } : {}) });
    } finally {
      setBusy(false);
    }
  };

  const input = (f: AlterField) => {
    const value = texts[f.name] ?? '';
    const set = (v: string): void => setTexts((t) => ({ ...t, [f.name]: v }));
    const onInput = (e: Event): void => set((e.target as HTMLInputElement).value);
    const bad = error?.property === f.name || (f.kind === 'label' && error?.property === 'labelId');
    let control;
    if (f.kind === 'label') {
      control = html`<${LabelSelect}
        name=${f.name}
        labels=${labels}
        value=${value}
        onChange=${set}
        none="(none)"
      />`;
    } else if (f.kind === 'boolean') {
      control = html`<select name=${f.name} value=${value} onChange=${onInput}>
        <option>true</option>
        <option>false</option>
      </select>`;
    } else if (Array.isArray(f.kind)) {
      control = html`<select name=${f.name} value=${value} onChange=${onInput}>
        ${value === '' && html`<option value="">(unset)</option>`}${f.kind.map((o) => html`<option>${o}</option>`)}
      </select>`;
    } else if (f.kind === 'json') {
      control = html`<textarea name=${f.name} rows="2" value=${value} onInput=${onInput}></textarea>`;
    } else {
      control = html`<input name=${f.name} value=${value} onInput=${onInput} />`;
    }
    return html`<label class=${`field${bad ? ' bad' : ''}${value !== base.current[f.name] ? ' changed' : ''}`}
      ><span>${f.name}</span>${control}</label
    >`;
  };
  const group = (g: AlterField['group'], title: string) =>
    html`<fieldset>
      <legend>${title}</legend>
      ${ALTER_FIELDS.filter((f) => f.group === g).map(input)}
    </fieldset>`;
  return html`<form class="alter" data-testid="alter-form" onSubmit=${submit}>
    ${group('session', 'Session')} ${group('will', 'Will')} ${group('health', 'Health thresholds')}
    ${group('other', 'Other')}
    <p class="hint">
      Only the properties you change are sent, with expectedVersion ${session.version}: a change made
      meanwhile by someone else is refused rather than overwritten. JSON properties take any JSON value (text
      that is not JSON is sent as a string).
    </p>
    <button type="submit" disabled=${busy}>Apply alteration</button>
    ${error && html`<p class="error" role="alert" data-testid="alter-error">${error.message}${error.property ? ` — property ${error.property}` : ''}</p>`}
    ${
      result &&
      html`<p class="ok" data-testid="alter-result">
        Version <strong data-testid="alter-version">${result.version}</strong>; liveApplied
        <strong data-testid="alter-live-applied">${String(result.liveApplied)}</strong>; changed:
        ${(result.changedFields as string[]).join(', ') || 'nothing'}
      </p>`
    }
  </form>`;
}

function Subscriptions({ session, onChanged }: { session: Json; onChanged: () => void }) {
  const [topicFilter, setTopicFilter] = useState('');
  const [qos, setQos] = useState('1');
  const { error, note, run } = useAction(onChanged);
  const change = (action: Json): Promise<void> =>
    run(
      () => call('subscribeToMq', { clientName: session.clientName, subscriptionActions: [action] }),
      (r) => `version ${r.version}; liveApplied ${String(r.liveApplied)}`,
    );
  const subs = (session.subscriptions ?? []) as Json[];
  return html`<section>
    <h3>Subscriptions (${subs.length})</h3>
    <${Table}
      testid="subscriptions"
      columns=${['Topic filter', 'QoS', 'No local', 'Retain as published', 'Retained', 'Id', '']}
    >
      ${subs.map(
        (s) =>
          html`<tr data-filter=${s.topicFilter}>
            <td>${s.topicFilter}</td>
            <td>${s.qos}</td>
            <td>${String(!s.receiveMyMessages)}</td>
            <td>${String(s.retainAsPublished)}</td>
            <td>${s.receiveRetainedMessages}</td>
            <td>${s.subscriptionIdentifier ?? ''}</td>
            <td>
              <button onClick=${() => change({ subscriptionAction: 'remove', topicFilter: s.topicFilter })}>
                Remove
              </button>
            </td>
          </tr>`,
      )}
    <//>
    <${InlineForm} onSubmit=${() => change({ subscriptionAction: 'add', topicFilter, qos: Number(qos) })}>
      <${TextField}
        label="Subscribe on its behalf to"
        name="topicFilter"
        value=${topicFilter}
        onValue=${setTopicFilter}
      />
      <label
        >QoS
        <select
          name="qos"
          value=${qos}
          onChange=${(e: Event) => setQos((e.target as HTMLSelectElement).value)}
        >
          <option>0</option>
          <option>1</option>
          <option>2</option>
        </select></label
      >
      <button type="submit">Subscribe</button>
    <//>
    <${Outcome} error=${error} note=${note} />
  </section>`;
}

function Audit({ entries }: { entries: Json[] }) {
  return html`<section>
    <h3>Audit trail</h3>
    <${Table} testid="audit" columns=${['Version', 'At', 'Actor', 'Action', 'Changes']}>
      ${[...entries].reverse().map(
        (a) =>
          html`<tr>
            <td>${a.version}</td>
            <td>${a.at}</td>
            <td>${a.actor}</td>
            <td>${a.action}</td>
            <td>
              ${Object.entries(a.changes as Json).map(([k, c]) => html`<div><code>${k}</code>: ${JSON.stringify((c as Json).before)} → ${JSON.stringify((c as Json).after)}</div>`)}
            </td>
          </tr>`,
      )}
    <//>
    <p class="hint">The newest 100 entries; a client's own SUBSCRIBE and UNSUBSCRIBE are not audited.</p>
  </section>`;
}

export function SessionView({ clientName }: { clientName: string }) {
  const [session, setSession] = useState<Json | null>(null);
  const [missing, setMissing] = useState(false);
  const [audit, setAudit] = useState<Json[]>([]);
  const [labels, setLabels] = useState<Json[]>([]);
  const [warnings, setWarnings] = useState('');
  const loadRef = useRef<() => void>(() => undefined);

  const load = async (): Promise<void> => {
    try {
      const d = await call('describeMqSessions', {
        clientNames: [clientName],
        includeStats: true,
        includeSubscribedTopics: true,
        includePublishedTopics: true,
      });
      const s = (d.data as Json[])[0];
      setMissing(!s);
      setSession(s ?? null);
      const version = s ? Number(s.version) : 0;
      const a = await call('getMqSessionAudit', {
        clientName,
        afterVersion: Math.max(0, version - 100),
        maxRecords: 100,
      }).catch(() => ({ data: [] }));
      setAudit(a.data as Json[]);
      setWarnings('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const { error, setError, note, run } = useAction(load);
  loadRef.current = () => void load();
  useEffect(() => {
    void load();
    call('listLabels', {})
      .then((r) => setLabels(r.data as Json[]))
      .catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = watchSessionEvents(
      (events) => {
        if (events.some((e) => e.clientName === clientName || (e.clientNames ?? []).includes(clientName))) {
          clearTimeout(timer);
          timer = setTimeout(() => loadRef.current(), 200);
        }
      },
      () => undefined,
    );
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [clientName]);

  const act = (what: string, work: () => Promise<Json>): Promise<void> =>
    run(
      work,
      (r) =>
        `${what}: version ${r.version ?? ''}${r.liveApplied === undefined ? '' : `, liveApplied ${String(r.liveApplied)}`}`,
    );
  const setStatus = (status: string) => () =>
    act(`status ${status}`, () => call('alterMqSession', { clientName, sessionStatus: status }));

  if (missing)
    return html`<section>
      <h2>${clientName}</h2>
      <p>No such session (it was deleted, or never existed).</p>
      <${Audit} entries=${audit} />
    </section>`;
  if (!session)
    return html`<section>
      <h2>${clientName}</h2>
      <${ErrorLine} error=${error} />
      <p>Loading…</p>
    </section>`;
  const { stats, subscriptions: _subs, publishedTopics, ...props } = session;
  const banned = session.sessionStatus === 'banned';
  const hidden = session.sessionStatus === 'hidden';
  return html`<section class="session">
    <h2>
      ${clientName}
      <span class=${`pill c-${session.connectionStatus}`} data-testid="connection"
        >${session.connectionStatus}</span
      >
      <span class=${`pill s-${session.sessionStatus}`} data-testid="status">${session.sessionStatus}</span>
      <span class=${`pill h-${session.sessionHealth}`}>${session.sessionHealth}</span>
    </h2>
    <div class="actions">
      <button data-testid="ban" onClick=${setStatus(banned ? 'normal' : 'banned')}>
        ${banned ? 'Unban' : 'Ban'}
      </button>
      <button data-testid="hide" onClick=${setStatus(hidden ? 'normal' : 'hidden')}>
        ${hidden ? 'Unhide' : 'Hide'}
      </button>
      <button onClick=${() => act('deactivated', () => call('deleteMqSession', { clientName }))}>
        Deactivate
      </button>
      <button
        class="danger"
        onClick=${() => {
          if (window.confirm(`Delete session ${clientName} permanently?`)) {
            void act('deleted', () =>
              call('deleteMqSession', { clientName, permanentlyDeleteSession: true }),
            );
          }
        }}
      >
        Delete permanently
      </button>
    </div>
    <${Outcome} error=${error} note=${note} testid="action-result" />
    ${warnings && html`<p class="notice">${warnings}</p>`}
    <div class="columns">
      <div>
        <h3>Properties</h3>
        <${PropertyTable} data=${props} testid="properties" />
      </div>
      <div>
        <h3>Statistics and health</h3>
        ${stats ? html`<${PropertyTable} data=${stats} testid="stats" />` : html`<p>No statistics: the session is not connected (or its gateway did not answer in time).</p>`}
        ${
          publishedTopics &&
          html`<h3>Published topics</h3>
            <table>
              <tbody>
                ${(publishedTopics as Json[]).map(
                  (t) =>
                    html`<tr>
                      <td>${t.topic}</td>
                      <td>${t.totalMessagesPublished}</td>
                      <td>${t.lastMessagePublishedOn}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        }
      </div>
    </div>
    <h3>Alter</h3>
    <${AlterForm} session=${session} labels=${labels} onAltered=${() => void load()} />
    <${Subscriptions} session=${session} onChanged=${() => void load()} />
    <${Audit} entries=${audit} />
  </section>`;
}
