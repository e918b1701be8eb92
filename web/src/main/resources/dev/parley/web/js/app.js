// The signed-in screen: conversation list and chat, two panes on a desktop, one at a time on a phone.

import { h, icon, formatTime, dayKey, dayLabel, listTime, lastSeenText, codePoints, initials, colorClass,
  formatBytes } from './dom.js';
import { uploadFile } from './upload.js';
import { openMenu, newChatDialog, newGroupDialog, groupInfoDialog, messageInfoDialog, imageViewer, confirmDialog }
  from './dialogs.js';

export const MAX_BODY = 100_000;
const EMOJI = ['😀', '😂', '🥲', '😊', '😍', '😘', '😎', '🤔', '😴', '😢', '😭', '😡', '👍', '👎', '👏', '🙏',
  '💪', '🎉', '❤️', '🔥', '✨', '✅', '❌', '👀', '🍕', '☕', '🍜', '🎂', '⚽', '🚀', '🌧️', '☀️'];

export class AppView {
  constructor(root, client, { onLogout }) {
    this.root = root;
    this.client = client;
    this.onLogout = onLogout;
    this.activeId = null;
    this.filter = '';
    this.msgCache = new Map(); // message key -> {sig, el}
    this.mediaUrls = new Map(); // mediaId -> Promise<{url, thumbnailUrl, expiresAt}>
    this.drafts = new Map();
    this.frame = 0;
    this.dirty = new Set();
    this.placeholders = new Map(); // 'new:<userId>' -> {title}
    this.build();
    client.addEventListener('change', (e) => this.schedule(e.detail));
    client.addEventListener('incoming', (e) => this.onIncoming(e.detail));
    client.addEventListener('created', (e) => {
      if (this.activeId === e.detail.from) this.open(e.detail.to);
      this.placeholders.delete(e.detail.from);
    });
    client.addEventListener('problem', (e) => this.toast(e.detail.message));
    document.addEventListener('visibilitychange', () => {
      this.client.markReadIfVisible();
      this.schedule('title');
    });
    window.addEventListener('focus', () => this.client.markReadIfVisible());
    window.addEventListener('keydown', (e) => this.onKey(e));
    this.renderAll();
  }

  // ---- layout -------------------------------------------------------------------------------------------

  build() {
    const c = this.client;
    this.banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'polite' });
    this.search = h('input', { type: 'search', class: 'search', placeholder: 'Search or start a new chat',
      'aria-label': 'Search conversations by name', oninput: () => {
        this.filter = this.search.value.trim().toLowerCase();
        this.renderList();
      } });
    this.list = h('ul', { class: 'conv-list', 'aria-label': 'Conversations' });
    this.meName = h('span', { class: 'me-name' }, c.session.displayName || c.session.username);
    const sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Conversations' },
      h('header', { class: 'bar' },
        h('span', { class: 'avatar me', 'aria-hidden': 'true' }, initials(c.session.displayName || c.session.username)),
        this.meName,
        h('span', { class: 'spacer' }),
        h('button', { class: 'icon-btn', title: 'New chat', 'aria-label': 'New chat', id: 'new-chat',
          onclick: () => newChatDialog(this) }, icon('chat')),
        h('button', { class: 'icon-btn', title: 'New group', 'aria-label': 'New group', id: 'new-group',
          onclick: () => newGroupDialog(this) }, icon('group')),
        h('button', { class: 'icon-btn', title: 'Settings', 'aria-label': 'Settings and account', id: 'menu',
          onclick: () => openMenu(this) }, icon('settings'))),
      this.banner,
      h('div', { class: 'search-row' }, this.search),
      this.list);

    this.headAvatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
    this.headTitle = h('h2', { class: 'chat-title', id: 'chat-title' });
    this.headSub = h('p', { class: 'chat-sub', id: 'chat-sub', 'aria-live': 'polite' });
    this.infoBtn = h('button', { class: 'icon-btn', 'aria-label': 'Conversation info', title: 'Info',
      id: 'chat-info', onclick: () => this.showInfo() }, icon('info'));
    this.messages = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: 0,
      onscroll: () => this.onScroll() });
    this.input = h('textarea', { class: 'composer-input', rows: 1, placeholder: 'Type a message',
      'aria-label': 'Message', id: 'composer', maxlength: 400_000,
      oninput: () => this.onInput(), onkeydown: (e) => this.onComposerKey(e) });
    this.counter = h('span', { class: 'counter', 'aria-live': 'polite', id: 'counter' });
    this.sendBtn = h('button', { class: 'icon-btn send', 'aria-label': 'Send', title: 'Send (Enter)', id: 'send',
      onclick: () => this.sendText() }, icon('send'));
    this.fileInput = h('input', { type: 'file', hidden: true, multiple: true, id: 'file-input',
      onchange: () => this.sendFiles() });
    this.emojiPanel = h('div', { class: 'emoji-panel', hidden: true, role: 'group', 'aria-label': 'Emoji' },
      EMOJI.map((e) => h('button', { type: 'button', class: 'emoji', 'aria-label': 'Insert ' + e,
        onclick: () => this.insertText(e) }, e)));
    this.emojiBtn = h('button', { class: 'icon-btn', 'aria-label': 'Emoji', 'aria-expanded': 'false', title: 'Emoji',
      onclick: () => this.toggleEmoji() }, icon('emoji'));
    this.composer = h('footer', { class: 'composer' },
      this.emojiPanel,
      this.emojiBtn,
      h('button', { class: 'icon-btn', 'aria-label': 'Attach image or file', title: 'Attach', id: 'attach',
        onclick: () => this.fileInput.click() }, icon('attach')),
      this.fileInput, this.input, this.counter, this.sendBtn);
    this.chatPane = h('section', { class: 'chat', 'aria-labelledby': 'chat-title' },
      h('header', { class: 'bar chat-head' },
        h('button', { class: 'icon-btn back', 'aria-label': 'Back to conversations', title: 'Back',
          onclick: () => this.close() }, icon('back')),
        this.headAvatar,
        h('div', { class: 'chat-heading', onclick: () => this.showInfo() }, this.headTitle, this.headSub),
        this.infoBtn),
      this.messages, this.composer);
    this.empty = h('section', { class: 'chat-empty' },
      h('img', { src: '/icons/parley.svg', alt: '', width: 72, height: 72 }),
      h('h2', {}, 'Parley'),
      h('p', {}, 'Select a conversation, or start a new chat with the button at the top left.'));
    this.toastBox = h('div', { class: 'toast', role: 'alert', hidden: true });
    this.el = h('div', { class: 'app', 'data-view': 'list' }, sidebar, this.empty, this.chatPane, this.toastBox);
    this.chatPane.hidden = true;
    this.root.replaceChildren(this.el);
  }

  schedule(what) {
    this.dirty.add(what);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const d = this.dirty;
      this.dirty = new Set();
      this.renderList();
      this.renderBanner();
      this.renderTitle();
      if (this.activeId) {
        this.renderHeader();
        if (d.has('messages') || d.has('older') || d.has('receipts') || d.has('names') || d.has('group')
          || d.has('all') || d.has('list')) {
          this.renderMessages(d.has('older'));
        }
      }
    });
  }

  renderAll() {
    this.schedule('all');
  }

  toast(text) {
    this.toastBox.textContent = text;
    this.toastBox.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      this.toastBox.hidden = true;
    }, 5_000);
  }

  renderBanner() {
    const c = this.client;
    let text = '';
    if (c.state === 'connecting') text = 'Connecting…';
    else if (c.state === 'offline') {
      text = `Offline. Messages you write are sent when the connection is back (retrying in ${Math.ceil(
        c.retryInMs / 1000)} s).`;
    } else if (c.state === 'stopped') text = 'Disconnected. Reload the page to reconnect.';
    else if (c.state === 'online' && !c.synced) text = 'Updating…';
    this.banner.textContent = text;
    this.banner.hidden = !text;
    this.el.dataset.connection = c.state;
  }

  renderTitle() {
    const n = this.client.totalUnread();
    document.title = n > 0 ? `(${n}) Parley` : 'Parley';
  }

  // ---- conversation list --------------------------------------------------------------------------------

  titleOf(c) {
    if (!c) return '';
    if (c.kind === 'group') return c.group ? c.group.name : c.title;
    return c.title || this.client.name(c.peerUserId);
  }

  preview(c) {
    const m = c.lastMessage;
    const pending = this.client.pendingFor(c.id);
    const last = pending.length ? pending[pending.length - 1] : null;
    if (last && (!m || last.ts >= m.ts)) return { text: last.body || (last.uploading ? '📎 ' + last.uploading.name : '📎'), mine: true, tick: last.failed ? 'failed' : 'pending' };
    if (!m) return { text: c.kind === 'group' ? 'Group created' : 'No messages yet' };
    const mine = m.from === this.client.session.userId;
    let text = m.body || mediaLabel(m.media);
    if (m.media && m.body) text = mediaLabel(m.media).split(' ')[0] + ' ' + m.body;
    if (!m.system && c.kind === 'group' && !mine) text = this.client.name(m.from) + ': ' + text;
    return { text, mine: mine && !m.system, tick: mine && !m.system ? this.client.tick(c, m) : null };
  }

  renderList() {
    const client = this.client;
    const items = [];
    const placeholders = [...this.placeholders.entries()].map(([id, p]) => ({ id, title: p.title, placeholder: true }));
    for (const p of placeholders) {
      if (this.filter && !p.title.toLowerCase().includes(this.filter)) continue;
      items.push(h('li', {}, h('button', { class: 'conv', 'data-id': p.id, 'aria-current': p.id === this.activeId
        ? 'true' : null, onclick: () => this.open(p.id) },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.title)),
      h('span', { class: 'conv-main' }, h('span', { class: 'conv-top' }, h('span', { class: 'conv-title' }, p.title)),
        h('span', { class: 'conv-preview' }, 'New chat')))));
    }
    for (const c of client.sortedConversations()) {
      const title = this.titleOf(c);
      if (this.filter && !title.toLowerCase().includes(this.filter)) continue;
      const pv = this.preview(c);
      const online = c.peerUserId && client.presence.get(c.peerUserId)?.online;
      const ts = c.lastMessage ? c.lastMessage.ts : 0;
      const unread = c.unread || 0;
      const label = `${title}${online ? ', online' : ''}${unread ? `, ${unread} unread message${unread > 1 ? 's'
        : ''}` : ''}`;
      items.push(h('li', {}, h('button', { class: 'conv' + (unread ? ' has-unread' : ''), 'data-id': c.id,
        'aria-current': c.id === this.activeId ? 'true' : null, 'aria-label': label, onclick: () => this.open(c.id) },
      h('span', { class: 'avatar ' + colorClass(c.id), 'aria-hidden': 'true' }, c.kind === 'group' ? icon('group')
        : initials(title), online ? h('span', { class: 'dot', title: 'online' }) : null),
      h('span', { class: 'conv-main' },
        h('span', { class: 'conv-top' }, h('span', { class: 'conv-title' }, title),
          h('time', { class: 'conv-time' }, ts ? listTime(ts) : '')),
        h('span', { class: 'conv-bottom' },
          h('span', { class: 'conv-preview' }, pv.tick ? tickIcon(pv.tick) : null, pv.text),
          unread ? h('span', { class: 'badge', 'aria-hidden': 'true' }, unread > 999 ? '999+' : String(unread)) : null)))));
    }
    if (items.length === 0) {
      items.push(h('li', { class: 'list-empty' }, this.filter ? 'No conversation matches.'
        : 'No conversations yet. Start one with the New chat button.'));
    }
    this.list.replaceChildren(...items);
  }

  // ---- opening and closing ------------------------------------------------------------------------------

  async open(id) {
    if (this.activeId && this.activeId !== id) this.drafts.set(this.activeId, this.input.value);
    this.activeId = id;
    this.client.activeId = id;
    this.msgCache.clear();
    this.el.dataset.view = 'chat';
    this.empty.hidden = true;
    this.chatPane.hidden = false;
    this.input.value = this.drafts.get(id) || '';
    this.onInput(true);
    this.stickToBottom = true;
    this.renderHeader();
    this.renderMessages(false);
    this.renderList();
    if (!id.startsWith('new:')) {
      try {
        await this.client.openConversation(id);
      } catch (e) {
        this.toast('Could not load the messages: ' + e.message);
      }
    }
    if (window.matchMedia('(min-width: 721px)').matches) this.input.focus();
  }

  close() {
    if (this.activeId) this.drafts.set(this.activeId, this.input.value);
    const was = this.activeId;
    this.activeId = null;
    this.client.activeId = null;
    this.el.dataset.view = 'list';
    this.chatPane.hidden = true;
    this.empty.hidden = false;
    this.renderList();
    const btn = was && this.list.querySelector(`[data-id="${CSS.escape(was)}"]`);
    if (btn) btn.focus();
  }

  /** A 1:1 chat with a user: the existing conversation, or a new one created by the first message. */
  startChat(user) {
    const existing = this.client.directWith(user.userId);
    if (existing) {
      this.open(existing.id);
      return;
    }
    this.client.rememberName(user.userId, user.displayName || user.username);
    this.placeholders.set('new:' + user.userId, { title: user.displayName || user.username });
    this.open('new:' + user.userId);
  }

  onKey(e) {
    if (e.key === 'Escape' && this.activeId && !document.querySelector('dialog[open]')) {
      if (this.emojiPanel.hidden === false) {
        this.toggleEmoji(false);
        return;
      }
      this.close();
    }
    if (e.key === '/' && document.activeElement === document.body) {
      e.preventDefault();
      this.search.focus();
    }
  }

  showInfo() {
    const id = this.activeId;
    if (!id || id.startsWith('new:')) return;
    const c = this.client.conversations.get(id);
    if (c && c.kind === 'group') groupInfoDialog(this, c);
    else if (c) {
      const p = this.client.presence.get(c.peerUserId);
      confirmDialog(this.titleOf(c), [lastSeenText(p) || 'Presence hidden or unknown'], null);
    }
  }

  // ---- chat header --------------------------------------------------------------------------------------

  renderHeader() {
    const id = this.activeId;
    if (!id) return;
    const client = this.client;
    if (id.startsWith('new:')) {
      const p = this.placeholders.get(id);
      this.headTitle.textContent = p ? p.title : '';
      this.headAvatar.textContent = initials(p ? p.title : '?');
      this.headSub.textContent = 'Your first message starts the conversation';
      this.infoBtn.hidden = true;
      return;
    }
    const c = client.conversations.get(id);
    if (!c) return;
    const title = this.titleOf(c);
    this.headTitle.textContent = title;
    this.headAvatar.replaceChildren(c.kind === 'group' ? icon('group') : initials(title));
    this.headAvatar.className = 'avatar ' + colorClass(c.id);
    this.infoBtn.hidden = false;
    const typers = client.typingIn(id);
    let sub;
    if (typers.length) {
      sub = c.kind === 'group' ? `${typers.map((u) => client.name(u)).join(', ')} ${typers.length > 1 ? 'are' : 'is'}`
        + ' typing…' : 'typing…';
      this.headSub.classList.add('typing');
    } else {
      this.headSub.classList.remove('typing');
      if (c.kind === 'group') {
        sub = c.member === false ? 'You are no longer a member'
          : c.group ? c.group.members.map((m) => client.name(m.userId)).join(', ') : 'Group';
      } else {
        sub = lastSeenText(client.presence.get(c.peerUserId));
      }
    }
    if (this.headSub.textContent !== sub) this.headSub.textContent = sub;
    const member = c.kind !== 'group' || c.member !== false;
    this.composer.hidden = !member;
  }

  // ---- messages -----------------------------------------------------------------------------------------

  /** The messages of the open conversation in seq order, then the pending ones of the outbox. */
  currentItems() {
    const id = this.activeId;
    const client = this.client;
    const c = client.conversations.get(id);
    const items = c ? [...c.messages.values()].sort((a, b) => a.seq - b.seq) : [];
    const sentIds = new Set(items.map((m) => m.clientMsgId));
    for (const e of client.pendingFor(id)) {
      if (sentIds.has(e.clientMsgId)) continue;
      items.push({ pending: true, failed: e.failed, uploading: e.uploading, clientMsgId: e.clientMsgId,
        from: client.session.userId, body: e.body, media: e.media ? (e.media.info || { mediaId: e.media.mediaId })
          : null, ts: e.ts });
    }
    return { c, items };
  }

  renderMessages(prepended) {
    const box = this.messages;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const fromBottom = box.scrollHeight - box.scrollTop;
    const { c, items } = this.currentItems();
    const me = this.client.session.userId;
    const nodes = [];
    if (c && c.loaded && c.hasMoreOlder) {
      nodes.push(h('div', { class: 'older' }, h('button', { class: 'link', onclick: () => this.loadOlder() },
        c.loadingOlder ? 'Loading…' : 'Load older messages')));
    } else if (c && c.loaded) {
      nodes.push(h('div', { class: 'older start' }, 'This is the start of the conversation.'));
    }
    let lastDay = null;
    let lastFrom = null;
    const used = new Set();
    for (const m of items) {
      const day = dayKey(m.ts);
      if (day !== lastDay) {
        nodes.push(h('div', { class: 'day', role: 'separator' }, h('span', {}, dayLabel(m.ts))));
        lastDay = day;
        lastFrom = null;
      }
      const mine = m.from === me && !m.system;
      const key = mine ? 'c:' + m.clientMsgId : 's:' + m.seq;
      const tick = mine ? this.client.tick(c || { kind: 'direct' }, m) : '';
      const showSender = c && c.kind === 'group' && !mine && !m.system && lastFrom !== m.from;
      const up = m.pending ? this.client.uploads.get(m.clientMsgId) : null;
      const sig = [tick, showSender ? this.client.name(m.from) : '', m.seq || '', m.failed || '',
        up ? `${up.phase}:${up.done}` : '', m.media ? m.media.mimeType || 'x' : '', m.uploading ? 'u' : ''].join('|');
      used.add(key);
      let cached = this.msgCache.get(key);
      if (!cached || cached.sig !== sig) {
        cached = { sig, el: this.messageEl(c, m, mine, tick, showSender, up) };
        this.msgCache.set(key, cached);
      }
      nodes.push(cached.el);
      lastFrom = m.system ? null : m.from;
    }
    for (const k of [...this.msgCache.keys()]) if (!used.has(k)) this.msgCache.delete(k);
    box.replaceChildren(...nodes);
    if (prepended) box.scrollTop = box.scrollHeight - fromBottom;
    else if (atBottom || this.stickToBottom) {
      box.scrollTop = box.scrollHeight;
      this.stickToBottom = false;
    }
  }

  messageEl(c, m, mine, tick, showSender, upload) {
    if (m.system) {
      return h('div', { class: 'system', 'data-seq': m.seq }, h('span', {}, m.body));
    }
    const parts = [];
    if (showSender) parts.push(h('div', { class: 'sender ' + colorClass(m.from) }, this.client.name(m.from)));
    if (m.media || m.uploading) parts.push(this.mediaEl(m, upload));
    if (m.body) parts.push(h('div', { class: 'text', dir: 'auto' }, m.body));
    const meta = [h('time', { datetime: new Date(m.ts).toISOString() }, formatTime(m.ts))];
    if (mine) meta.push(tickIcon(tick));
    parts.push(h('div', { class: 'meta' }, meta));
    if (mine && m.failed) {
      parts.push(h('div', { class: 'failed' }, 'Not sent: ' + m.failed + ' ',
        m.uploading ? null : h('button', { class: 'link', onclick: () => this.client.retry(m.clientMsgId) }, 'Retry'),
        ' ', h('button', { class: 'link', onclick: () => this.client.discard(m.clientMsgId) }, 'Delete')));
    }
    if (mine && !m.pending && c && c.kind === 'group') {
      parts.push(h('button', { class: 'msg-info', 'aria-label': 'Message info: who received and read it',
        title: 'Message info', onclick: () => messageInfoDialog(this, c, m) }, icon('info')));
    }
    return h('div', { class: 'msg ' + (mine ? 'out' : 'in'), 'data-seq': m.seq || null,
      'data-client-msg-id': mine ? m.clientMsgId : null, 'data-tick': mine ? tick : null }, parts);
  }

  mediaEl(m, upload) {
    if (m.uploading) {
      const box = h('div', { class: 'file uploading' }, icon('file'),
        h('span', { class: 'file-name' }, m.uploading.name),
        h('span', { class: 'file-size' }, formatBytes(m.uploading.size)));
      if (upload) {
        const label = upload.phase === 'hashing' ? 'Preparing' : 'Uploading';
        box.appendChild(h('progress', { max: upload.total || 1, value: upload.done, 'aria-label': label + ' '
          + m.uploading.name, class: 'upload-progress' }));
        box.appendChild(h('span', { class: 'file-size' }, `${label} ${Math.floor(100 * upload.done / (upload.total
          || 1))}%`));
      } else if (!m.failed) {
        box.appendChild(h('span', { class: 'file-size' }, 'Upload interrupted (or running in another tab).'));
        box.appendChild(h('button', { class: 'link', onclick: () => this.client.discard(m.clientMsgId) }, 'Delete'));
      }
      return box;
    }
    const media = m.media;
    const isImage = (media.mimeType || '').startsWith('image/') && media.thumbnail !== false;
    if (isImage || (media.mimeType || '').startsWith('image/')) {
      const img = h('img', { class: 'thumb', alt: m.body ? 'Image: ' + m.body : 'Image', loading: 'lazy' });
      if (media.width && media.height) {
        img.width = Math.min(300, media.width);
        img.height = Math.round(img.width * media.height / media.width);
      }
      this.mediaLinks(media.mediaId).then((l) => {
        img.src = l.thumbnailUrl || l.url;
      }).catch(() => {
        img.alt = 'Image not available';
      });
      return h('button', { class: 'image-btn', 'aria-label': 'Open image', onclick: () => imageViewer(this, m) }, img);
    }
    const a = h('a', { class: 'file', href: '#', download: '' }, icon('file'),
      h('span', { class: 'file-name' }, media.mimeType || 'file'),
      h('span', { class: 'file-size' }, formatBytes(media.size || 0)));
    a.addEventListener('click', async (e) => {
      if (a.dataset.ready) return;
      e.preventDefault();
      try {
        const l = await this.mediaLinks(media.mediaId);
        a.href = l.url;
        a.dataset.ready = '1';
        a.click();
      } catch (err) {
        this.toast('Could not download: ' + err.message);
      }
    });
    return a;
  }

  /** Signed URLs of an item, cached until shortly before they expire. */
  mediaLinks(mediaId) {
    const cached = this.mediaUrls.get(mediaId);
    if (cached && (!cached.expiresAt || cached.expiresAt > Date.now() + 60_000)) return cached.promise;
    const promise = this.client.api.mediaUrl(mediaId);
    const entry = { promise, expiresAt: 0 };
    promise.then((l) => {
      entry.expiresAt = l.expiresAt;
    }).catch(() => this.mediaUrls.delete(mediaId));
    this.mediaUrls.set(mediaId, entry);
    return promise;
  }

  async onScroll() {
    if (this.messages.scrollTop < 80 && this.activeId && !this.activeId.startsWith('new:')) this.loadOlder();
  }

  async loadOlder() {
    try {
      await this.client.loadOlder(this.activeId);
    } catch (e) {
      this.toast('Could not load older messages: ' + e.message);
    }
  }

  // ---- composing ----------------------------------------------------------------------------------------

  onInput(quiet) {
    const text = this.input.value;
    const n = codePoints(text);
    const over = n > MAX_BODY;
    this.counter.textContent = n > MAX_BODY * 0.9 ? `${n.toLocaleString()} / ${MAX_BODY.toLocaleString()}` : '';
    this.counter.classList.toggle('over', over);
    this.sendBtn.disabled = over;
    this.input.setAttribute('aria-invalid', String(over));
    if (over) this.counter.setAttribute('title', 'Too long: a message holds at most 100,000 characters');
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 160) + 'px';
    if (!quiet && text && this.activeId) this.client.userTyping(this.activeId);
  }

  onComposerKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.sendText();
    }
  }

  insertText(t) {
    const i = this.input;
    const start = i.selectionStart ?? i.value.length;
    const end = i.selectionEnd ?? i.value.length;
    i.setRangeText(t, start, end, 'end');
    this.onInput();
    i.focus();
  }

  toggleEmoji(show) {
    const open = show ?? this.emojiPanel.hidden;
    this.emojiPanel.hidden = !open;
    this.emojiBtn.setAttribute('aria-expanded', String(open));
    if (open) this.emojiPanel.querySelector('button').focus();
  }

  sendText() {
    const text = this.input.value;
    if (!this.activeId || !text.trim()) return;
    if (codePoints(text) > MAX_BODY) {
      this.toast('This message is too long: at most 100,000 characters.');
      return;
    }
    this.client.send(this.activeId, text);
    this.input.value = '';
    this.drafts.delete(this.activeId);
    this.stickToBottom = true;
    this.onInput(true);
    this.toggleEmoji(false);
    this.askNotificationPermission();
  }

  sendFiles() {
    const files = [...this.fileInput.files];
    this.fileInput.value = '';
    for (const f of files) this.sendFile(f);
  }

  async sendFile(file) {
    const convId = this.activeId;
    if (!convId) return;
    const caption = this.input.value.trim() && codePoints(this.input.value) <= MAX_BODY ? this.input.value : '';
    if (caption) {
      this.input.value = '';
      this.onInput(true);
    }
    const entry = this.client.queueUpload(convId, caption, file);
    const progress = { phase: 'hashing', done: 0, total: file.size };
    this.client.uploads.set(entry.clientMsgId, progress);
    this.stickToBottom = true;
    let last = 0;
    try {
      const res = await uploadFile(this.client.api, file, (p) => {
        const newPhase = p.phase !== progress.phase;
        Object.assign(progress, p);
        if (newPhase || Date.now() - last > 100 || p.done === p.total) {
          last = Date.now();
          this.schedule('messages');
        }
      });
      this.client.uploads.delete(entry.clientMsgId);
      const info = res.media || { mediaId: res.mediaId, mimeType: file.type, size: file.size };
      this.client.attachMedia(entry.clientMsgId, res.mediaId, info);
    } catch (e) {
      this.client.uploads.delete(entry.clientMsgId);
      this.client.failUpload(entry.clientMsgId, e.message);
    }
  }

  // ---- notifications ------------------------------------------------------------------------------------

  askNotificationPermission() {
    if ('Notification' in window && Notification.permission === 'default' && !this.askedNotifications) {
      this.askedNotifications = true;
      Notification.requestPermission().catch(() => {});
    }
  }

  onIncoming({ conversation, message }) {
    if (document.visibilityState === 'visible') return;
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    if (conversation.mutedUntil && conversation.mutedUntil > Date.now()) return;
    const title = conversation.kind === 'group' ? `${this.client.name(message.from)} @ ${this.titleOf(conversation)}`
      : this.client.name(message.from);
    try {
      const n = new Notification(title, { body: message.body || mediaLabel(message.media), tag: conversation.id });
      n.onclick = () => {
        window.focus();
        this.open(conversation.id);
        n.close();
      };
    } catch (e) {
      // some browsers allow notifications only from a service worker
    }
  }
}

export function tickIcon(tick) {
  switch (tick) {
    case 'pending': return h('span', { class: 'tick pending', title: 'Waiting to be sent' }, icon('clock', 'Pending'));
    case 'failed': return h('span', { class: 'tick failed', title: 'Not sent' }, icon('alert', 'Not sent'));
    case 'sent': return h('span', { class: 'tick sent', title: 'Sent' }, icon('tick1', 'Sent'));
    case 'delivered': return h('span', { class: 'tick delivered', title: 'Delivered' }, icon('tick2', 'Delivered'));
    case 'read': return h('span', { class: 'tick read', title: 'Read' }, icon('tick2', 'Read'));
    default: return null;
  }
}

export function mediaLabel(media) {
  if (!media) return '';
  const t = media.mimeType || '';
  if (t.startsWith('image/')) return '📷 Photo';
  if (t.startsWith('video/')) return '🎥 Video';
  if (t.startsWith('audio/')) return '🎤 Audio';
  return '📎 File';
}
