// Entry point: the login screen, or the app for the session kept in localStorage (shared by this browser's tabs).

import { renderLogin } from './login.js';
import { ParleyClient, loadSession, saveSession } from './client.js';
import { AppView } from './app.js';

const root = document.getElementById('app');
let client = null;

function showLogin(notice) {
  if (client) {
    client.stop();
    client = null;
  }
  document.title = 'Parley';
  renderLogin(root, (session) => {
    saveSession(session);
    showApp(session);
  }, notice);
}

function showApp(session) {
  client = new ParleyClient(session);
  const view = new AppView(root, client, {
    onLogout: async () => {
      try {
        await client.logout();
      } catch (e) {
        // offline: forget the token here anyway; the device can be revoked from another one
      }
      saveSession(null);
      showLogin('You are logged out.');
    },
  });
  client.addEventListener('unauthorized', () => {
    saveSession(null);
    showLogin('This browser was logged out. Log in again.');
  });
  client.start();
  window.parley = { client, view }; // for debugging in the console
}

// Another tab logged in or out: follow it.
window.addEventListener('storage', (ev) => {
  if (ev.key !== 'parley.session') return;
  const s = loadSession();
  if (s && (!client || client.session.token !== s.token)) {
    if (client) client.stop();
    showApp(s);
  } else if (!s && client) {
    showLogin('You logged out in another tab.');
  }
});

const session = loadSession();
if (session && session.token) showApp(session);
else showLogin();
