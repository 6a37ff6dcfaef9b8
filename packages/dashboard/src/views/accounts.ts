// Accounts (listAccounts, createAccount, alterAccount, deleteAccount): administrators only; any
// other account sees the API's 12030 message.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Json } from '../api';
import { ErrorLine } from './common';

export function AccountsView() {
  const [accounts, setAccounts] = useState<Json[]>([]);
  const [form, setForm] = useState({ username: '', password: '', role: 'user' });
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const load = async (): Promise<void> => {
    try {
      setAccounts((await call('listAccounts', {})).data as Json[]);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const run = async (action: string, params: Json, done: string): Promise<void> => {
    setError('');
    setNote('');
    try {
      await call(action, params);
      setNote(done);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return html`<section>
    <h2>Accounts</h2>
    <table data-testid="accounts">
      <thead>
        <tr>
          <th>User name</th>
          <th>Role</th>
          <th>Created</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
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
      </tbody>
    </table>
    <form
      class="inline"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        void run('createAccount', form, `${form.username} created`);
      }}
    >
      <label
        >User name
        <input
          name="username"
          value=${form.username}
          onInput=${(e: Event) => setForm({ ...form, username: (e.target as HTMLInputElement).value })}
      /></label>
      <label
        >Password
        <input
          name="password"
          type="password"
          autocomplete="new-password"
          value=${form.password}
          onInput=${(e: Event) => setForm({ ...form, password: (e.target as HTMLInputElement).value })}
      /></label>
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
    </form>
    <${ErrorLine} error=${error} />
    ${note && html`<p class="ok">${note}</p>`}
  </section>`;
}
