// The login / registration screen.

import { h } from './dom.js';
import { Api, ApiError } from './api.js';
import { browserName } from './client.js';

/** Renders the screen into root; calls onSession({token, userId, deviceId, username, displayName}) on success. */
export function renderLogin(root, onSession, notice) {
  let mode = 'login';
  const api = new Api();
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true,
    minlength: 3, maxlength: 32, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', required: true, minlength: 8,
    autocomplete: 'current-password' });
  const displayName = h('input', { id: 'displayName', name: 'displayName', maxlength: 64, autocomplete: 'name' });
  const nameRow = h('div', { class: 'field', hidden: true },
    h('label', { for: 'displayName' }, 'Your name (shown to others)'), displayName);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const tabLogin = h('button', { type: 'button', role: 'tab', id: 'tab-login', 'aria-selected': 'true',
    onclick: () => setMode('login') }, 'Log in');
  const tabRegister = h('button', { type: 'button', role: 'tab', id: 'tab-register', 'aria-selected': 'false',
    onclick: () => setMode('register') }, 'Create account');
  const hint = h('p', { class: 'hint', hidden: true },
    'Username: 3–32 of a–z, 0–9, _ and . — password: at least 8 characters.');

  function setMode(m) {
    mode = m;
    tabLogin.setAttribute('aria-selected', String(m === 'login'));
    tabRegister.setAttribute('aria-selected', String(m === 'register'));
    nameRow.hidden = m !== 'register';
    hint.hidden = m !== 'register';
    submit.textContent = m === 'login' ? 'Log in' : 'Create account';
    password.setAttribute('autocomplete', m === 'login' ? 'current-password' : 'new-password');
    error.textContent = '';
  }

  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const u = username.value.trim();
      const p = password.value;
      if (u.length < 3 || p.length < 8) {
        error.textContent = u.length < 3 ? 'Enter your username (at least 3 characters).'
          : 'The password has at least 8 characters.';
        return;
      }
      submit.disabled = true;
      try {
        if (mode === 'register') await api.register(u, p, displayName.value.trim());
        const s = await api.login(u, p, browserName());
        const me = await new Api(s.token).userByName(u).catch(() => null);
        onSession({ token: s.token, userId: s.userId, deviceId: s.deviceId, username: me ? me.username : u,
          displayName: me ? me.displayName : u });
      } catch (e) {
        error.textContent = describe(e);
      } finally {
        submit.disabled = false;
      }
    } },
  h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Log in or create an account' }, tabLogin, tabRegister),
  h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
  h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
  nameRow, hint, error, submit);

  root.replaceChildren(h('div', { class: 'login' },
    h('div', { class: 'login-card' },
      h('h1', { id: 'login-title' }, h('img', { src: '/icons/parley.svg', alt: '', width: 40, height: 40 }), 'Parley'),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      form)));
  username.focus();
}

function describe(e) {
  if (!(e instanceof ApiError)) return 'Something went wrong: ' + e.message;
  switch (e.code) {
    case 'unauthorized': return 'Wrong username or password.';
    case 'username_taken': return 'That username is taken. Choose another one.';
    case 'weak_password': return 'The password is too short: use at least 8 characters.';
    case 'rate_limited': return `Too many attempts. Try again in ${e.retryAfter || 60} seconds.`;
    case 'conflict': return 'Too many devices are logged in. Log out on one of them, or revoke one from '
      + 'another device. ' + e.message;
    case 'network': return 'Cannot reach the server. Check your connection.';
    default: return e.message;
  }
}
