// Sessions: a paged, sortable, filterable table (listMqSessions with keyset paging, then
// describeMqSessions of the page for health, address and times), kept current by the live feed of
// session events: a row's connection, status and health change in place; a session that is not
// on the page (a new one) or a deletion reads the page again.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, watchSessionEvents, type FeedState, type Json } from '../api';
import {
  EMPTY_FILTER,
  ErrorLine,
  FilterForm,
  filterParams,
  labelText,
  sessionHref,
  type Filter,
} from './common';

const SORTS = ['clientName', 'lastConnect', 'lastDisconnect', 'ipAddress', 'sessionHealth'];

export function SessionsView() {
  const [filter, setFilter] = useState<Filter>(EMPTY_FILTER);
  const [sort, setSort] = useState({ by: 'clientName', descending: false });
  const [pageSize, setPageSize] = useState(50);
  // Cursors of the pages before this one (keyset paging), and of this one.
  const [cursors, setCursors] = useState<string[]>([]);
  const [rows, setRows] = useState<Json[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [labels, setLabels] = useState<Json[]>([]);
  const [error, setError] = useState('');
  const [feed, setFeed] = useState<{ state: FeedState; why?: string }>({ state: 'connecting' });
  const [eventCount, setEventCount] = useState(0);
  const [flash, setFlash] = useState<Record<string, number>>({});
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = useRef<Set<string>>(new Set());
  const loadRef = useRef<() => void>(() => undefined);

  const cursor = cursors[cursors.length - 1];
  const load = async (): Promise<void> => {
    try {
      const params: Json = { ...filterParams(filter), maxRecords: pageSize };
      params[sort.descending ? 'sortDescending' : 'sortAscending'] = sort.by;
      if (cursor) params.cursor = cursor;
      const page = await call('listMqSessions', params);
      const listed = page.data as Json[];
      const described = new Map<string, Json>();
      if (listed.length > 0) {
        const d = await call('describeMqSessions', { clientNames: listed.map((s) => s.clientName) });
        for (const s of d.data as Json[]) described.set(s.clientName, s);
      }
      const merged = listed.map((s) => ({ ...described.get(s.clientName), ...s }));
      shown.current = new Set(merged.map((s) => s.clientName as string));
      setRows(merged);
      setNextCursor((page.nextCursor as string | null) ?? null);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  loadRef.current = () => void load();
  // At most one read of the page per 0.3 s, however many events come (a connect storm).
  const reloadSoon = (): void => {
    if (reloadTimer.current !== undefined) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = undefined;
      loadRef.current();
    }, 300);
  };

  useEffect(() => {
    void load();
  }, [filter, sort, pageSize, cursor]);

  useEffect(() => {
    call('listLabels', {})
      .then((r) => setLabels(r.data as Json[]))
      .catch(() => undefined);
    const stop = watchSessionEvents(
      (events) => {
        setEventCount((n) => n + events.length);
        let again = false;
        const touched: Record<string, number> = {};
        setRows((current) => {
          const byName = new Map(current.map((r) => [r.clientName as string, r]));
          for (const e of events) {
            if (e.type === 'bulkAltered' || e.type === 'deleted' || e.type === 'created') {
              again = true;
              continue;
            }
            const row = byName.get(e.clientName);
            if (!row) {
              if (e.type === 'connected') again = true;
              continue;
            }
            const next = { ...row };
            if (e.connectionStatus) next.connectionStatus = e.connectionStatus;
            if (e.sessionStatus) next.sessionStatus = e.sessionStatus;
            if (e.sessionHealth) next.sessionHealth = e.sessionHealth;
            if (e.version) next.version = e.version;
            // Times and addresses come with the next read of the page.
            if (
              e.type === 'connected' ||
              e.type === 'disconnected' ||
              (e.changedFields ?? []).includes('label')
            )
              again = true;
            byName.set(e.clientName, next);
            touched[e.clientName] = Date.now();
          }
          return current.map((r) => byName.get(r.clientName) ?? r);
        });
        setFlash((f) => ({ ...f, ...touched }));
        if (again) reloadSoon();
      },
      (state, why) => {
        setFeed({ state, why });
        // Events missed while the feed was down are not replayed: read the page again.
        if (state === 'live') reloadSoon();
      },
    );
    return () => {
      stop();
      clearTimeout(reloadTimer.current);
    };
  }, []);

  const setSortBy = (by: string): void => {
    setCursors([]);
    setSort((s) => (s.by === by ? { by, descending: !s.descending } : { by, descending: false }));
  };
  const header = (by: string | null, label: string) =>
    by
      ? html`<th>
          <button class="link" data-sort=${by} onClick=${() => setSortBy(by)}>
            ${label}${sort.by === by ? (sort.descending ? ' ▼' : ' ▲') : ''}
          </button>
        </th>`
      : html`<th>${label}</th>`;
  const now = Date.now();
  return html`<section>
    <h2>Sessions</h2>
    <p class=${`feed feed-${feed.state}`} data-testid="feed-state">
      Live updates: ${feed.state}${feed.why ? ` (${feed.why})` : ''} · events seen:
      <span data-testid="event-count">${eventCount}</span>
    </p>
    <${FilterForm}
      filter=${filter}
      labels=${labels}
      onChange=${(f: Filter) => {
        setCursors([]);
        setFilter(f);
      }}
    />
    <${ErrorLine} error=${error} />
    <table class="sessions" data-testid="sessions-table">
      <thead>
        <tr>
          ${header('clientName', 'Client name')} ${header(null, 'Type')} ${header(null, 'Status')}
          ${header(null, 'Connection')} ${header('sessionHealth', 'Health')} ${header(null, 'Label')}
          ${header('ipAddress', 'Address')} ${header('lastConnect', 'Last connect')}
          ${header('lastDisconnect', 'Last disconnect')}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr
              data-client=${r.clientName}
              class=${now - (flash[r.clientName] ?? 0) < 2000 ? 'flash' : ''}
            >
              <td><a href=${sessionHref(r.clientName)}>${r.clientName}</a></td>
              <td>${r.sessionType}</td>
              <td class="status"><span class=${`pill s-${r.sessionStatus}`}>${r.sessionStatus}</span></td>
              <td class="connection">
                <span class=${`pill c-${r.connectionStatus}`}>${r.connectionStatus}</span>
              </td>
              <td class="health">
                <span class=${`pill h-${r.sessionHealth}`}>${r.sessionHealth ?? ''}</span>
              </td>
              <td>${labelText(r.label)}</td>
              <td>${r.ipaddress ? `${r.ipaddress}:${r.port}` : ''}</td>
              <td>${r.connectionDateTime ?? ''}</td>
              <td>${r.disconnectionDateTime ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.length === 0 && html`<p>No session matches.</p>`}
    <div class="pager">
      <button disabled=${cursors.length === 0} onClick=${() => setCursors((c) => c.slice(0, -1))}>
        Previous
      </button>
      <button disabled=${!nextCursor} onClick=${() => nextCursor && setCursors((c) => [...c, nextCursor])}>
        Next
      </button>
      <label
        >Page size
        <select
          value=${String(pageSize)}
          onChange=${(e: Event) => {
            setCursors([]);
            setPageSize(Number((e.target as HTMLSelectElement).value));
          }}
        >
          ${[20, 50, 100, 500].map((n) => html`<option value=${String(n)}>${n}</option>`)}
        </select></label
      >
      <span>page ${cursors.length + 1}</span>
    </div>
  </section>`;
}

export { SORTS };
