// Bulk alteration (alterMqSessions): a filter, the changes as JSON, a preview of how many sessions
// the filter matches (listMqSessions, counted up to 10,000) and the result's counts.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Json } from '../api';
import { EMPTY_FILTER, ErrorLine, FilterForm, filterParams, type Filter } from './common';

const PREVIEW_LIMIT = 10_000;

export function BulkView() {
  const [filter, setFilter] = useState<Filter>(EMPTY_FILTER);
  const [changes, setChanges] = useState('{"keepAliveSeconds": 60}');
  const [labels, setLabels] = useState<Json[]>([]);
  const [preview, setPreview] = useState<string>('');
  const [result, setResult] = useState<Json | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    call('listLabels', {})
      .then((r) => setLabels(r.data as Json[]))
      .catch(() => undefined);
  }, []);
  const count = async (): Promise<void> => {
    setError('');
    try {
      const page = await call('listMqSessions', { ...filterParams(filter), maxRecords: PREVIEW_LIMIT });
      const n = (page.data as Json[]).length;
      setPreview(
        page.nextCursor
          ? `more than ${PREVIEW_LIMIT.toLocaleString()} sessions`
          : `${n} session${n === 1 ? '' : 's'}`,
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void count();
  }, [filter]);
  const apply = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError('');
    setResult(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(changes);
    } catch {
      setError(
        'The changes must be a JSON object of alterMqSession properties, e.g. {"keepAliveSeconds": 60}.',
      );
      return;
    }
    try {
      const r = await call('alterMqSessions', { filter: filterParams(filter), changes: parsed });
      setResult(r);
      void count();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return html`<section>
    <h2>Bulk alteration</h2>
    <p class="hint">
      One change to every session the filter matches, in one transaction (all or nothing). An empty filter
      matches every session that is not hidden.
    </p>
    <${FilterForm} filter=${filter} labels=${labels} onChange=${setFilter} />
    <p data-testid="bulk-preview">Matches: <strong>${preview}</strong></p>
    <form onSubmit=${apply}>
      <label
        >Changes (JSON)
        <textarea
          name="changes"
          rows="4"
          value=${changes}
          onInput=${(e: Event) => setChanges((e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </label>
      <button type="submit">Apply to ${preview || 'the matching sessions'}</button>
    </form>
    <${ErrorLine} error=${error} />
    ${result && html`<p class="ok" data-testid="bulk-result">matched ${result.matchedSessions}, changed ${result.changedSessions}, connected ${result.connectedSessions}, confirmed live ${result.liveAppliedSessions}</p>`}
  </section>`;
}
