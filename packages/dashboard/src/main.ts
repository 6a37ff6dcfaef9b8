// The mqfleet dashboard (docs/dashboard.md): a single page served by the api-gateway at /ui/,
// built with Vite; Preact with htm templates (no JSX build step). Every read and change goes
// through the JSON API (src/api.ts); live session updates come from the WebSocket feed.
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { loggedIn, login, logout, setLoggedOutHandler } from './api';
import { AccountsView } from './views/accounts';
import { BulkView } from './views/bulk';
import { LabelsView } from './views/labels';
import { OverviewView } from './views/overview';
import { SessionView } from './views/session';
import { TextField } from './views/common';
import { SessionsView } from './views/sessions';
import './style.css';

function currentRoute(): string {
  return location.hash.replace(/^#\/?/, '') || 'sessions';
}

function Login({ onDone, notice }: { onDone: () => void; notice: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(username, password);
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <h1>mqfleet</h1>
    ${notice && html`<p class="notice">${notice}</p>`}
    <form onSubmit=${submit}>
      <${TextField}
        label="User name"
        name="username"
        autocomplete="username"
        value=${username}
        onValue=${setUsername}
      />
      <${TextField}
        label="Password"
        name="password"
        type="password"
        autocomplete="current-password"
        value=${password}
        onValue=${setPassword}
      />
      <button type="submit" disabled=${busy}>Log in</button>
      ${error && html`<p class="error" data-testid="login-error">${error}</p>`}
    </form>
    <p class="hint">
      The same accounts as the JSON API (createSession). The token stays in this page's memory: reloading the
      page logs you out.
    </p>
  </main>`;
}

function App() {
  const [route, setRoute] = useState(currentRoute());
  const [authed, setAuthed] = useState(loggedIn());
  const [notice, setNotice] = useState('');
  useEffect(() => {
    const onHash = (): void => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    setLoggedOutHandler((why) => {
      setNotice(why);
      setAuthed(false);
    });
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (!authed) return html`<${Login} notice=${notice} onDone=${() => setAuthed(true)} />`;
  const [view, ...rest] = route.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  const nav = (to: string, label: string) =>
    html`<a href=${`#/${to}`} class=${view === to ? 'active' : ''}>${label}</a>`;
  let body;
  switch (view) {
    case 'overview':
      body = html`<${OverviewView} />`;
      break;
    case 'session':
      body = html`<${SessionView} key=${arg} clientName=${arg} />`;
      break;
    case 'bulk':
      body = html`<${BulkView} />`;
      break;
    case 'labels':
      body = html`<${LabelsView} />`;
      break;
    case 'accounts':
      body = html`<${AccountsView} />`;
      break;
    default:
      body = html`<${SessionsView} />`;
  }
  return html`<div class="shell">
    <header>
      <strong>mqfleet</strong>
      <nav>
        ${nav('overview', 'Overview')} ${nav('sessions', 'Sessions')} ${nav('bulk', 'Bulk alteration')}
        ${nav('labels', 'Labels')} ${nav('accounts', 'Accounts')}
      </nav>
      <button
        class="link"
        onClick=${async () => {
          await logout();
          setNotice('Logged out.');
          setAuthed(false);
        }}
      >
        Log out
      </button>
    </header>
    <main>${body}</main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app') as HTMLElement);
