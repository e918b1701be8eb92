// Modal dialogs (<dialog> with showModal: focus stays inside, Escape closes): new chat, new group, group info,
// message info, image viewer, settings (devices, privacy, notifications, log out).

import { h, icon, initials, colorClass, formatTime } from './dom.js';
import { ApiError } from './api.js';

function dialog(title, body, { wide = false, id } = {}) {
  const heading = h('h2', { id: 'dlg-title-' + (id || 'x') }, title);
  const close = h('button', { class: 'icon-btn', 'aria-label': 'Close', type: 'button' }, icon('close'));
  const d = h('dialog', { class: 'dlg' + (wide ? ' wide' : ''), 'aria-labelledby': 'dlg-title-' + (id || 'x'),
    id: id || null },
  h('header', { class: 'dlg-head' }, heading, close), h('div', { class: 'dlg-body' }, body));
  close.addEventListener('click', () => d.close());
  d.addEventListener('close', () => d.remove());
  d.addEventListener('click', (e) => {
    if (e.target === d) d.close(); // backdrop
  });
  document.body.appendChild(d);
  d.showModal();
  return d;
}

function errorText(e) {
  if (e instanceof ApiError) {
    if (e.code === 'not_found') return e.message.includes('username') ? 'No user with that name.' : e.message;
    if (e.code === 'forbidden') return 'You are not allowed to do that here.';
    if (e.code === 'network') return 'Cannot reach the server.';
  }
  return e.message;
}

export function confirmDialog(title, lines, action) {
  const d = dialog(title, [
    ...lines.map((l) => h('p', {}, l)),
    h('div', { class: 'dlg-actions' },
      action ? h('button', { class: 'primary', onclick: async () => {
        d.close();
        await action.run();
      } }, action.label) : null,
      h('button', { onclick: () => d.close() }, action ? 'Cancel' : 'OK'))]);
  return d;
}

export function newChatDialog(view) {
  const input = h('input', { id: 'new-chat-username', autocomplete: 'off', autocapitalize: 'none',
    spellcheck: 'false', required: true });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    const name = input.value.trim();
    if (!name) return;
    try {
      const u = await view.client.api.userByName(name);
      if (u.userId === view.client.session.userId) {
        err.textContent = 'That is you. Enter someone else\'s username.';
        return;
      }
      d.close();
      view.startChat(u);
    } catch (ex) {
      err.textContent = errorText(ex);
    }
  } },
  h('div', { class: 'field' }, h('label', { for: 'new-chat-username' }, 'Username of the person to chat with'), input),
  err,
  h('div', { class: 'dlg-actions' }, h('button', { class: 'primary', type: 'submit' }, 'Start chat')));
  const d = dialog('New chat', form, { id: 'new-chat-dialog' });
  input.focus();
}

/** Parses "alice, bob carol" into usernames and resolves them; throws naming the unknown ones. */
async function resolveUsers(api, text, me) {
  const names = [...new Set(text.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean))];
  const found = [];
  const missing = [];
  for (const n of names) {
    try {
      const u = await api.userByName(n);
      if (u.userId !== me) found.push(u);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not_found') missing.push(n);
      else throw e;
    }
  }
  if (missing.length) throw new Error('No such user: ' + missing.join(', '));
  return found;
}

export function newGroupDialog(view) {
  const name = h('input', { id: 'group-name', maxlength: 100, required: true });
  const members = h('input', { id: 'group-members', autocomplete: 'off', autocapitalize: 'none',
    spellcheck: 'false' });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!name.value.trim()) {
      err.textContent = 'Give the group a name.';
      return;
    }
    try {
      const users = await resolveUsers(view.client.api, members.value, view.client.session.userId);
      if (users.length === 0) {
        err.textContent = 'Add at least one member.';
        return;
      }
      for (const u of users) view.client.rememberName(u.userId, u.displayName || u.username);
      const g = await view.client.api.createGroup(name.value.trim(), '', users.map((u) => u.userId));
      d.close();
      await view.client.refreshConversations();
      view.open(g.conversationId);
    } catch (ex) {
      err.textContent = errorText(ex);
    }
  } },
  h('div', { class: 'field' }, h('label', { for: 'group-name' }, 'Group name'), name),
  h('div', { class: 'field' }, h('label', { for: 'group-members' }, 'Members (usernames, separated by commas)'),
    members),
  err,
  h('div', { class: 'dlg-actions' }, h('button', { class: 'primary', type: 'submit' }, 'Create group')));
  const d = dialog('New group', form, { id: 'new-group-dialog' });
  name.focus();
}

export async function groupInfoDialog(view, conv) {
  const client = view.client;
  const me = client.session.userId;
  const body = h('div', { class: 'group-info' }, h('p', {}, 'Loading…'));
  const d = dialog('Group info', body, { id: 'group-info-dialog', wide: true });
  const err = h('p', { class: 'form-error', role: 'alert' });

  async function act(fn) {
    err.textContent = '';
    try {
      await fn();
      await render(await client.loadGroup(conv.id));
    } catch (e) {
      err.textContent = errorText(e);
    }
  }

  async function render(g) {
    const amAdmin = g.members.some((m) => m.userId === me && m.role === 'admin');
    const isMember = g.members.some((m) => m.userId === me);
    const nameInput = h('input', { id: 'group-edit-name', '.value': g.name, maxlength: 100, disabled: !amAdmin });
    const descInput = h('textarea', { id: 'group-edit-desc', '.value': g.description || '', maxlength: 1000,
      rows: 2, disabled: !amAdmin });
    const addInput = h('input', { id: 'group-add', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    const rows = g.members.map((m) => {
      const name = client.name(m.userId);
      const actions = [];
      if (amAdmin && m.userId !== me) {
        actions.push(h('button', { class: 'small', onclick: () => act(() => client.api.setRole(conv.id, m.userId,
          m.role === 'admin' ? 'member' : 'admin')) }, m.role === 'admin' ? 'Dismiss as admin' : 'Make admin'));
        actions.push(h('button', { class: 'small danger', 'aria-label': 'Remove ' + name,
          onclick: () => act(() => client.api.removeMember(conv.id, m.userId)) }, 'Remove'));
      }
      return h('li', { class: 'member' },
        h('span', { class: 'avatar small ' + colorClass(m.userId), 'aria-hidden': 'true' },
          initials(m.userId === me ? client.session.displayName || client.session.username : name)),
        h('span', { class: 'member-name' }, m.userId === me ? 'You' : name),
        m.role === 'admin' ? h('span', { class: 'role' }, 'Admin') : null,
        h('span', { class: 'spacer' }), actions);
    });
    body.replaceChildren(
      h('form', { class: 'group-edit', onsubmit: (e) => {
        e.preventDefault();
        act(() => client.api.updateGroup(conv.id, { name: nameInput.value.trim(), description: descInput.value }));
      } },
      h('div', { class: 'field' }, h('label', { for: 'group-edit-name' }, 'Name'), nameInput),
      h('div', { class: 'field' }, h('label', { for: 'group-edit-desc' }, 'Description'), descInput),
      amAdmin ? h('div', { class: 'dlg-actions' }, h('button', { type: 'submit' }, 'Save')) : null),
      h('h3', {}, `${g.members.length} members`),
      h('ul', { class: 'members', 'aria-label': 'Members' }, rows),
      amAdmin ? h('form', { class: 'add-member', onsubmit: (e) => {
        e.preventDefault();
        act(async () => {
          const users = await resolveUsers(client.api, addInput.value, me);
          for (const u of users) client.rememberName(u.userId, u.displayName || u.username);
          if (users.length) await client.api.addMembers(conv.id, users.map((u) => u.userId));
          addInput.value = '';
        });
      } }, h('label', { for: 'group-add' }, 'Add members (usernames)'), addInput,
      h('button', { type: 'submit' }, 'Add')) : null,
      err,
      isMember ? h('div', { class: 'dlg-actions' }, h('button', { class: 'danger', id: 'leave-group',
        onclick: async () => {
          err.textContent = '';
          try {
            await client.api.removeMember(conv.id, me);
            conv.member = false;
            client.changed('group');
            d.close();
          } catch (e) {
            err.textContent = errorText(e);
          }
        } }, 'Leave group')) : h('p', {}, 'You are no longer a member of this group.'));
  }

  try {
    await render(await client.loadGroup(conv.id));
  } catch (e) {
    body.replaceChildren(h('p', { role: 'alert' }, errorText(e)));
  }
}

export async function messageInfoDialog(view, conv, m) {
  const client = view.client;
  const body = h('div', {}, h('p', {}, 'Loading…'));
  dialog('Message info', body, { id: 'message-info-dialog' });
  try {
    const r = await client.api.receipts(conv.id, m.seq);
    const read = r.receipts.filter((x) => x.read);
    const delivered = r.receipts.filter((x) => x.delivered && !x.read);
    const waiting = r.receipts.filter((x) => !x.delivered);
    const section = (title, list, cls) => [h('h3', { class: cls }, `${title} (${list.length})`),
      list.length ? h('ul', { class: 'receipts' }, list.map((x) => h('li', {}, client.name(x.userId))))
        : h('p', { class: 'muted' }, 'Nobody')];
    body.replaceChildren(
      h('blockquote', { class: 'quoted' }, m.body || '(media)', h('small', {}, ' ' + formatTime(m.ts))),
      ...section('Read by', read, 'read-h'), ...section('Delivered to', delivered, 'delivered-h'),
      ...section('Waiting', waiting, 'waiting-h'));
  } catch (e) {
    body.replaceChildren(h('p', { role: 'alert' }, errorText(e)));
  }
}

export async function imageViewer(view, m) {
  const img = h('img', { class: 'full-image', alt: m.body ? 'Image: ' + m.body : 'Image' });
  const d = dialog(m.body || 'Image', h('div', { class: 'viewer' }, img,
    h('p', { class: 'muted' }, `Sent ${formatTime(m.ts)}`)), { wide: true, id: 'image-viewer' });
  try {
    const l = await view.mediaLinks(m.media.mediaId);
    img.src = l.url;
  } catch (e) {
    img.alt = 'Image not available: ' + errorText(e);
  }
  return d;
}

export function openMenu(view) {
  const client = view.client;
  const devices = h('ul', { class: 'devices', 'aria-label': 'Devices' }, h('li', {}, 'Loading…'));
  const err = h('p', { class: 'form-error', role: 'alert' });
  const current = client.privacy();
  const privacy = h('fieldset', { class: 'privacy' }, h('legend', {}, 'Who can see my online status and last seen'),
    ['everyone', 'contacts', 'nobody'].map((v) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'privacy', value: v, checked: v === current, onchange: async () => {
        err.textContent = '';
        try {
          await client.setPrivacy(v);
        } catch (e) {
          err.textContent = errorText(e);
        }
      } }),
      { everyone: 'Everyone I share a chat with', contacts: 'Only people I have a 1:1 chat with',
        nobody: 'Nobody (and I do not see others\' last seen)' }[v])));
  const notif = 'Notification' in window ? h('button', { type: 'button', onclick: async () => {
    const p = await Notification.requestPermission();
    notifState.textContent = describePermission(p);
  } }, 'Enable notifications') : null;
  const notifState = h('span', { class: 'muted' }, 'Notification' in window
    ? describePermission(Notification.permission) : 'Notifications are not supported by this browser.');

  async function loadDevices() {
    try {
      const res = await client.api.devices();
      devices.replaceChildren(...res.devices.map((dv) => h('li', { class: 'device' },
        h('span', { class: 'device-name' }, dv.name),
        h('span', { class: 'muted' }, (dv.current ? 'This browser · ' : '') + 'since '
          + new Date(dv.createdAt).toLocaleDateString()),
        h('span', { class: 'spacer' }),
        h('button', { class: 'small danger', 'aria-label': (dv.current ? 'Log out this browser' : 'Revoke ' + dv.name),
          onclick: async () => {
            if (dv.current) {
              d.close();
              await view.onLogout();
              return;
            }
            try {
              await client.api.revoke(dv.deviceId);
              await loadDevices();
            } catch (e) {
              err.textContent = errorText(e);
            }
          } }, dv.current ? 'Log out' : 'Revoke'))));
    } catch (e) {
      devices.replaceChildren(h('li', {}, errorText(e)));
    }
  }

  const d = dialog('Settings', [
    h('section', {}, h('h3', {}, 'Account'),
      h('p', {}, `${client.session.displayName || client.session.username} (@${client.session.username})`)),
    h('section', {}, h('h3', {}, 'Privacy'), privacy),
    h('section', {}, h('h3', {}, 'Notifications'), h('p', {}, notifState, ' ', notif)),
    h('section', {}, h('h3', {}, 'Devices'), devices),
    err,
    h('div', { class: 'dlg-actions' }, h('button', { class: 'danger', id: 'logout', onclick: async () => {
      d.close();
      await view.onLogout();
    } }, 'Log out'))], { id: 'settings-dialog', wide: true });
  loadDevices();
}

function describePermission(p) {
  return p === 'granted' ? 'Notifications are on for messages that arrive while Parley is in the background.'
    : p === 'denied' ? 'Notifications are blocked in the browser settings.' : 'Notifications are off.';
}
