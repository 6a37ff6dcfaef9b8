// Accounts (listAccounts, createAccount, alterAccount, deleteAccount): administrators only; any
// other account sees the API's 12030 message.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Json } from '../api';
import { InlineForm, Outcome, Table, TextField, useAction } from './common';

export function AccountsView() {
  const [accounts, setAccounts] = useState<Json[]>([]);
  const [form, setForm] = useState({ username: '', password: '', role: 'user' });
  const load = async (): Promise<void> => {
    try {
      setAccounts((await call('listAccounts', {})).data as Json[]);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const { error, setError, note, run: runAction } = useAction(load);
  useEffect(() => {
    void load();
  }, []);
  const run = (action: string, params: Json, done: string): Promise<void> =>
    runAction(() => call(action, params), done);
  return html`<section>
    <h2>Accounts</h2>
    <${Table} testid="accounts" columns=${['User name', 'Role', 'Created', '']}>
      ${accounts.map(
        (a) =>
          html`<tr data-account=${a.username}>
            <td>${a.username}</td>
            <td>
              <select
                value=${a.role}
                onChange=${(e: Event) => run('alterAccount', { username: a.username, role: (e.target as HTMLSelectElement).value }, `role of ${a.username} changed`)}
              >
                <option>admin</option>
                <option>user</option>
              </select>
            </td>
            <td>${a.createdAt}</td>
            <td>
              <button
                onClick=${() => {
                  const password = window.prompt(`New password for ${a.username}`);
                  if (password)
                    void run(
                      'alterAccount',
                      { username: a.username, password },
                      `password of ${a.username} changed; its other sessions ended`,
                    );
                }}
              >
                Set password
              </button>
              <button
                class="danger"
                onClick=${() => window.confirm(`Delete account ${a.username}?`) && run('deleteAccount', { username: a.username }, `${a.username} deleted`)}
              >
                Delete
              </button>
            </td>
          </tr>`,
      )}
    <//>
    <${InlineForm} onSubmit=${() => run('createAccount', form, `${form.username} created`)}>
      <${TextField}
        label="User name"
        name="username"
        value=${form.username}
        onValue=${(v: string) => setForm({ ...form, username: v })}
      />
      <${TextField}
        label="Password"
        name="password"
        type="password"
        autocomplete="new-password"
        value=${form.password}
        onValue=${(v: string) => setForm({ ...form, password: v })}
      />
      <label
        >Role
        <select
          name="role"
          value=${form.role}
          onChange=${(e: Event) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}
        >
          <option>user</option>
          <option>admin</option>
        </select></label
      >
      <button type="submit">Create account</button>
    <//>
    <${Outcome} error=${error} note=${note} />
  </section>`;
}
