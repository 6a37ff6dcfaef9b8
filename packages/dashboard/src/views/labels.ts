// Labels (listLabels, createLabel, alterLabel, changeLabels): the sessions' labels, for
// administrators. A label that sessions carry cannot be deleted (12026): the API's message says so.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Json } from '../api';
import { ErrorLine } from './common';

export function LabelsView() {
  const [labels, setLabels] = useState<Json[]>([]);
  const [form, setForm] = useState({ group: '', name: '', description: '' });
  const [error, setError] = useState('');
  const load = async (): Promise<void> => {
    try {
      setLabels((await call('listLabels', { includeDescription: true })).data as Json[]);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const run = async (action: string, params: Json): Promise<void> => {
    setError('');
    try {
      await call(action, params);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const field = (key: keyof typeof form, label: string) =>
    html`<label
      >${label}
      <input
        name=${key}
        value=${form[key]}
        onInput=${(e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value })}
    /></label>`;
  return html`<section>
    <h2>Labels</h2>
    <table data-testid="labels">
      <thead>
        <tr>
          <th>Id</th>
          <th>Group</th>
          <th>Name</th>
          <th>Description</th>
          <th>Deprecated</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${labels.map(
          (l) =>
            html`<tr data-label=${l.name}>
              <td>${l.id}</td>
              <td>${l.group}</td>
              <td>${l.name}</td>
              <td>${l.description ?? ''}</td>
              <td>
                <input
                  type="checkbox"
                  checked=${l.deprecated}
                  onChange=${(e: Event) => run('alterLabel', { id: l.id, deprecated: (e.target as HTMLInputElement).checked })}
                />
              </td>
              <td>
                <button
                  onClick=${() => run('changeLabels', { labelsToChange: [{ id: l.id, delete: true }] })}
                >
                  Delete
                </button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <form
      class="inline"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        const params: Json = { group: form.group, name: form.name };
        if (form.description) params.description = form.description;
        void run('createLabel', params);
      }}
    >
      ${field('group', 'Group')} ${field('name', 'Name')} ${field('description', 'Description')}
      <button type="submit">Create label</button>
    </form>
    <${ErrorLine} error=${error} />
  </section>`;
}
