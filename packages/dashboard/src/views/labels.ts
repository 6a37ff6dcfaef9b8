// Labels (listLabels, createLabel, alterLabel, changeLabels): the sessions' labels, for
// administrators. A label that sessions carry cannot be deleted (12026): the API's message says so.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Json } from '../api';
import { ErrorLine, InlineForm, Table, TextField, useAction } from './common';

export function LabelsView() {
  const [labels, setLabels] = useState<Json[]>([]);
  const [form, setForm] = useState({ group: '', name: '', description: '' });
  const load = async (): Promise<void> => {
    try {
      setLabels((await call('listLabels', { includeDescription: true })).data as Json[]);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const { error, setError, run } = useAction(load);
  useEffect(() => {
    void load();
  }, []);
  const field = (key: keyof typeof form, label: string) =>
    html`<${TextField}
      label=${label}
      name=${key}
      value=${form[key]}
      onValue=${(v: string) => setForm({ ...form, [key]: v })}
    />`;
  return html`<section>
    <h2>Labels</h2>
    <${Table} testid="labels" columns=${['Id', 'Group', 'Name', 'Description', 'Deprecated', '']}>
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
                onChange=${(e: Event) =>
                  run(() =>
                    call('alterLabel', { id: l.id, deprecated: (e.target as HTMLInputElement).checked }),
                  )}
              />
            </td>
            <td>
              <button
                onClick=${() => run(() => call('changeLabels', { labelsToChange: [{ id: l.id, delete: true }] }))}
              >
                Delete
              </button>
            </td>
          </tr>`,
      )}
    <//>
    <${InlineForm}
      onSubmit=${() => {
        const params: Json = { group: form.group, name: form.name };
        if (form.description) params.description = form.description;
        return run(() => call('createLabel', params));
      }}
    >
      ${field('group', 'Group')} ${field('name', 'Name')} ${field('description', 'Description')}
      <button type="submit">Create label</button>
    <//>
    <${ErrorLine} error=${error} />
  </section>`;
}
