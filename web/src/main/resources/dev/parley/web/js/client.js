// The client's state and its protocol logic, without any DOM: conversations, messages (deduplicated by
// conversation and seq), receipt positions, presence, typing, user names, the outbox, and the link to the other
// tabs of this browser. Views listen for 'change' events and read the state.

import { Api, ApiError } from './api.js';
import { Connection } from './socket.js';
import { uuid } from './dom.js';

const SESSION_KEY = 'parley.session';
const OUTBOX_KEY = 'parley.outbox';
const PRIVACY_KEY = 'parley.privacy';
const NAMES_KEY = 'parley.names';
const ACK_DELAY_MS = 300;
const TYPING_SHOW_MS = 5_000;
const TYPING_SEND_EVERY_MS = 3_000;
const PAGE = 50;
const RETRIABLE = new Set(['internal', 'unavailable', 'rate_limited']);

export function loadSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY));
  } catch (e) {
    return null;
  }
}

export function saveSession(s) {
  if (s) localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else localStorage.removeItem(SESSION_KEY);
}

/** A short name for this browser, used as the device name at login. */
export function browserName() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua)
    ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

/** One conversation as the client knows it. */
class Conversation {
  constructor(id) {
    this.id = id;
    this.kind = 'direct';
    this.title = '';
    this.peerUserId = null;
    this.lastSeq = 0;
    this.unread = 0;
    this.lastMessage = null;
    this.activity = 0;
    this.messages = new Map(); // seq -> message
    this.loaded = false; // history fetched at least once
    this.hasMoreOlder = true;
    this.loadingOlder = false;
    this.positions = new Map(); // userId -> {delivered, read}
    this.group = null; // the group object, for groups once fetched
    this.member = null; // false once the user left or was removed from a group
    this.readSent = 0;
  }

  /** Highest seq held in memory. */
  maxSeq() {
    let m = 0;
    for (const s of this.messages.keys()) if (s > m) m = s;
    return m;
  }

  minSeq() {
    let m = Infinity;
    for (const s of this.messages.keys()) if (s < m) m = s;
    return m === Infinity ? 0 : m;
  }

  position(userId) {
    let p = this.positions.get(userId);
    if (!p) {
      p = { delivered: 0, read: 0 };
      this.positions.set(userId, p);
    }
    return p;
  }
}

export class ParleyClient extends EventTarget {
  constructor(session) {
    super();
    this.session = session; // {token, userId, deviceId, username}
    this.api = new Api(session.token);
    this.conversations = new Map();
    this.names = new Map(Object.entries(safeJson(sessionStorage.getItem(NAMES_KEY)) || {}));
    this.nameLookups = new Map();
    this.presence = new Map();
    this.typing = new Map(); // convId -> Map(userId -> until)
    this.outbox = this.readOutbox();
    this.state = 'connecting';
    this.retryInMs = 0;
    this.synced = false;
    this.pendingAcks = new Map();
    this.ackTimer = null;
    this.lastTypingSent = new Map();
    this.retryTimers = new Map();
    this.activeId = null;
    this.uploads = new Map(); // clientMsgId -> {file, done, total, phase, error}
    this.channel = 'BroadcastChannel' in window ? new BroadcastChannel('parley:' + session.userId) : null;
    if (this.channel) this.channel.onmessage = (ev) => this.fromOtherTab(ev.data);
    this.onStorage = (ev) => {
      if (ev.key === OUTBOX_KEY + ':' + session.userId) {
        this.outbox = this.readOutbox();
        this.changed();
      }
    };
    window.addEventListener('storage', this.onStorage);
    if (session.username && !this.names.has(session.userId)) {
      this.names.set(session.userId, session.displayName || session.username);
    }
  }

  start() {
    this.conn = new Connection(this.session.token, (type, detail) => this.onConnection(type, detail));
    this.conn.start();
    this.refreshConversations().catch(() => {});
    this.typingSweep = setInterval(() => this.sweepTyping(), 1_000);
  }

  stop() {
    if (this.conn) this.conn.stop();
    clearInterval(this.typingSweep);
    clearTimeout(this.ackTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    window.removeEventListener('storage', this.onStorage);
    if (this.channel) this.channel.close();
  }

  changed(what = 'all') {
    this.dispatchEvent(new CustomEvent('change', { detail: what }));
  }

  notify(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ---- connection ---------------------------------------------------------------------------------------

  onConnection(type, detail) {
    if (type === 'state') {
      this.state = detail.state;
      this.retryInMs = detail.retryInMs || 0;
      if (detail.state !== 'online') this.synced = false;
      this.changed('state');
    } else if (type === 'unauthorized') {
      this.notify('unauthorized', detail);
    } else if (type === 'frame') {
      this.onFrame(detail);
    }
  }

  onFrame(f) {
    switch (f.type) {
      case 'ready':
        this.flushOutbox();
        break;
      case 'message':
        this.onMessage(f, true);
        break;
      case 'synced':
        this.synced = true;
        this.afterSync().catch(() => {});
        break;
      case 'sent':
        this.onSent(f);
        break;
      case 'receipt':
        this.onReceipt(f);
        break;
      case 'typing':
        this.onTyping(f);
        break;
      case 'presence':
        this.presence.set(f.userId, { online: !!f.online, lastSeen: f.lastSeen || 0 });
        this.changed('presence');
        break;
      case 'error':
        this.onError(f);
        break;
      default:
        break; // pong and frames this client does not know
    }
  }

  /** After every (re)connection: the list, gaps in open conversations, presence. Nothing is lost or doubled. */
  async afterSync() {
    await this.refreshConversations();
    for (const c of this.conversations.values()) {
      if (c.loaded && c.lastSeq > c.maxSeq()) await this.fillGap(c);
    }
    this.subscribePresence();
    this.markReadIfVisible();
  }

  subscribePresence() {
    const users = new Set();
    for (const c of this.conversations.values()) {
      if (c.peerUserId) users.add(c.peerUserId);
    }
    if (users.size) this.conn.send({ type: 'presence.subscribe', users: [...users].slice(0, 1000) });
  }

  // ---- conversations and history ------------------------------------------------------------------------

  conv(id) {
    let c = this.conversations.get(id);
    if (!c) {
      c = new Conversation(id);
      this.conversations.set(id, c);
    }
    return c;
  }

  async refreshConversations() {
    const res = await this.api.conversations();
    const seen = new Set();
    let newPeer = false;
    for (const x of res.conversations) {
      seen.add(x.conversationId);
      const c = this.conv(x.conversationId);
      c.kind = x.kind;
      c.title = x.title || (x.kind === 'group' ? 'Group' : 'Unknown');
      if (x.peerUserId && !c.peerUserId) newPeer = true;
      c.peerUserId = x.peerUserId || null;
      c.lastSeq = Math.max(c.lastSeq, x.lastSeq);
      c.unread = x.unread;
      c.mutedUntil = x.mutedUntil || 0;
      if (x.lastMessage && (!c.lastMessage || x.lastMessage.seq >= c.lastMessage.seq)) c.lastMessage = x.lastMessage;
      c.activity = Math.max(c.activity, c.lastMessage ? c.lastMessage.ts : 0);
      if (x.peerUserId) this.rememberName(x.peerUserId, x.title);
    }
    for (const id of [...this.conversations.keys()]) {
      if (!seen.has(id)) this.conversations.delete(id);
    }
    if (newPeer && this.synced) this.subscribePresence();
    this.changed('list');
  }

  /** Conversations sorted by last activity, newest first. */
  sortedConversations() {
    return [...this.conversations.values()].sort((a, b) => (b.activity - a.activity) || (a.id < b.id ? 1 : -1));
  }

  directWith(userId) {
    for (const c of this.conversations.values()) if (c.kind === 'direct' && c.peerUserId === userId) return c;
    return null;
  }

  async openConversation(id) {
    this.activeId = id;
    const c = this.conversations.get(id);
    if (!c) return;
    if (!c.loaded) {
      const page = await this.api.history(id, { limit: PAGE });
      for (const m of page.messages) this.addMessage(c, m);
      c.hasMoreOlder = page.hasMore;
      c.loaded = true;
    }
    if (c.kind === 'group' && !c.group) this.loadGroup(id).catch(() => {});
    this.changed('messages');
    this.markReadIfVisible();
  }

  async loadOlder(id) {
    const c = this.conversations.get(id);
    if (!c || !c.loaded || !c.hasMoreOlder || c.loadingOlder) return false;
    const before = c.minSeq();
    if (before <= 1) {
      c.hasMoreOlder = false;
      return false;
    }
    c.loadingOlder = true;
    try {
      const page = await this.api.history(id, { beforeSeq: before, limit: PAGE });
      for (const m of page.messages) this.addMessage(c, m);
      c.hasMoreOlder = page.hasMore;
    } finally {
      c.loadingOlder = false;
    }
    this.changed('older');
    return true;
  }

  /** Reads what is missing between the newest message held and the conversation's last seq. */
  async fillGap(c) {
    for (let guard = 0; guard < 100; guard++) {
      const page = await this.api.history(c.id, { afterSeq: c.maxSeq(), limit: 200 });
      for (const m of page.messages) this.addMessage(c, m);
      if (!page.hasMore || page.messages.length === 0) break;
    }
    this.changed('messages');
  }

  /** One message by seq, from the server. */
  async fetchOne(c, seq) {
    const page = await this.api.history(c.id, { afterSeq: seq - 1, limit: 1 });
    for (const m of page.messages) this.addMessage(c, m);
    this.changed('messages');
  }

  async loadGroup(id) {
    const c = this.conv(id);
    let g;
    try {
      g = await this.api.group(id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'forbidden') {
        c.member = false; // left or removed: the history up to then stays readable
        this.changed('group');
      }
      throw e;
    }
    c.member = true;
    c.group = g;
    c.title = g.name;
    for (const m of g.members) this.name(m.userId);
    this.changed('group');
    return g;
  }

  /** Adds a message unless its seq is known already; returns whether it was new. */
  addMessage(c, m) {
    if (c.messages.has(m.seq)) return false;
    c.messages.set(m.seq, m);
    c.lastSeq = Math.max(c.lastSeq, m.seq);
    if (!c.lastMessage || m.seq >= c.lastMessage.seq) {
      c.lastMessage = m;
      c.activity = Math.max(c.activity, m.ts);
    }
    if (m.from && m.from !== this.session.userId) this.name(m.from);
    return true;
  }

  onMessage(m, live) {
    const known = this.conversations.has(m.conversationId);
    const typers = this.typing.get(m.conversationId);
    if (typers && typers.delete(m.from)) this.changed('typing'); // their message ends their typing
    const c = this.conv(m.conversationId);
    if (c.loaded) {
      if (!this.addMessage(c, m)) {
        this.ack(c.id, m.seq);
        return;
      }
    } else if (!c.lastMessage || m.seq > c.lastMessage.seq) {
      c.lastMessage = m;
      c.lastSeq = Math.max(c.lastSeq, m.seq);
      c.activity = Math.max(c.activity, m.ts);
      if (m.from !== this.session.userId) this.name(m.from);
    } else {
      this.ack(c.id, m.seq);
      return; // a repeat of what the list already shows
    }
    const mine = m.from === this.session.userId;
    if (mine) {
      // sent by another of my devices (or answered to another tab): it may still sit in the outbox
      this.dropFromOutbox(m.clientMsgId);
    } else {
      if (!(this.activeId === c.id && this.isVisible())) c.unread++;
      if (live) this.notify('incoming', { conversation: c, message: m });
    }
    if (m.system && c.kind === 'group') {
      const me = this.session.userId;
      const users = m.system.users || [];
      if ((m.system.event === 'left' && m.from === me) || (m.system.event === 'removed' && users.includes(me))) {
        c.member = false;
      } else {
        if (m.system.event === 'added' && users.includes(me)) c.member = true;
        this.loadGroup(c.id).catch(() => {});
      }
    }
    this.ack(c.id, m.seq);
    if (!known) this.refreshConversations().catch(() => {});
    this.changed('messages');
    if (this.activeId === c.id) this.markReadIfVisible();
  }

  ack(convId, seq) {
    if ((this.pendingAcks.get(convId) || 0) < seq) this.pendingAcks.set(convId, seq);
    if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = null;
        for (const [conversationId, s] of this.pendingAcks) {
          if (this.conn.send({ type: 'delivered', conversationId, seq: s })) this.pendingAcks.delete(conversationId);
        }
      }, this.synced ? ACK_DELAY_MS : ACK_DELAY_MS * 2);
    }
  }

  isVisible() {
    return document.visibilityState === 'visible' && document.hasFocus();
  }

  /** Sends read for the open conversation when the user can see it. */
  markReadIfVisible() {
    const c = this.activeId && this.conversations.get(this.activeId);
    if (!c || !c.loaded || !this.isVisible()) return;
    const seq = c.maxSeq();
    if (seq > c.readSent && seq > 0) {
      if (this.conn.send({ type: 'read', conversationId: c.id, seq })) {
        c.readSent = seq;
        this.post({ type: 'read', conversationId: c.id, seq });
      }
    }
    if (c.unread) {
      c.unread = 0;
      this.changed('list');
    }
  }

  onReceipt(r) {
    const c = this.conv(r.conversationId);
    const p = c.position(r.userId);
    let moved = false;
    if (r.seq > p.delivered) {
      p.delivered = r.seq;
      moved = true;
    }
    if (r.status === 'read' && r.seq > p.read) {
      p.read = r.seq;
      moved = true;
    }
    if (r.userId === this.session.userId && r.status === 'read' && moved) {
      // read on another device: clear what it covers
      if (r.seq >= c.lastSeq) c.unread = 0;
      else this.refreshConversations().catch(() => {});
    }
    if (moved) this.changed('receipts');
  }

  onTyping(t) {
    if (t.userId === this.session.userId) return;
    let m = this.typing.get(t.conversationId);
    if (!m) {
      m = new Map();
      this.typing.set(t.conversationId, m);
    }
    m.set(t.userId, Date.now() + TYPING_SHOW_MS);
    this.name(t.userId);
    this.changed('typing');
  }

  sweepTyping() {
    const now = Date.now();
    let changed = false;
    for (const m of this.typing.values()) {
      for (const [u, until] of m) {
        if (until < now) {
          m.delete(u);
          changed = true;
        }
      }
    }
    if (changed) this.changed('typing');
  }

  typingIn(convId) {
    const m = this.typing.get(convId);
    return m ? [...m.keys()] : [];
  }

  /** Tells the others the user is typing, at most every few seconds. */
  userTyping(convId) {
    if (!convId || convId.startsWith('new:')) return;
    const last = this.lastTypingSent.get(convId) || 0;
    if (Date.now() - last < TYPING_SEND_EVERY_MS) return;
    if (this.conn.send({ type: 'typing', conversationId: convId })) this.lastTypingSent.set(convId, Date.now());
  }

  // ---- ticks ---------------------------------------------------------------------------------------------

  /** 'pending' | 'failed' | 'sent' | 'delivered' | 'read' for one of my messages. */
  tick(c, m) {
    if (m.pending) return m.failed ? 'failed' : 'pending';
    const others = this.recipients(c, m);
    if (others.length === 0) return 'sent';
    let delivered = true;
    let read = true;
    for (const u of others) {
      const p = c.positions.get(u);
      if (!p || p.read < m.seq) read = false;
      if (!p || Math.max(p.delivered, p.read) < m.seq) delivered = false;
    }
    return read ? 'read' : delivered ? 'delivered' : 'sent';
  }

  /** Who should have a message: the peer, or the group's other members who had joined when it was sent. */
  recipients(c, m) {
    if (c.kind === 'direct') return c.peerUserId ? [c.peerUserId] : [];
    if (!c.group) return [];
    return c.group.members.filter((x) => x.userId !== m.from && x.joinedAt <= m.ts).map((x) => x.userId);
  }

  // ---- names ---------------------------------------------------------------------------------------------

  rememberName(userId, name) {
    if (!userId || !name) return;
    if (this.names.get(userId) !== name) {
      this.names.set(userId, name);
      this.saveNames();
    }
  }

  saveNames() {
    try {
      sessionStorage.setItem(NAMES_KEY, JSON.stringify(Object.fromEntries(this.names)));
    } catch (e) {
      // storage full: names are fetched again
    }
  }

  /** A user's display name; unknown ones are looked up once (GET /v1/users/{id}) and a change event follows. */
  name(userId) {
    if (userId === this.session.userId) return 'You';
    const n = this.names.get(userId);
    if (n) return n;
    if (!this.nameLookups.has(userId)) {
      const p = this.api.user(userId).then((u) => {
        this.rememberName(userId, u.displayName || u.username);
        this.changed('names');
      }).catch(() => {
        setTimeout(() => this.nameLookups.delete(userId), 10_000);
      });
      this.nameLookups.set(userId, p);
    }
    return 'User ' + String(userId).slice(-4);
  }

  // ---- sending and the outbox ----------------------------------------------------------------------------

  readOutbox() {
    return safeJson(localStorage.getItem(OUTBOX_KEY + ':' + this.session.userId)) || [];
  }

  writeOutbox() {
    localStorage.setItem(OUTBOX_KEY + ':' + this.session.userId, JSON.stringify(this.outbox));
    this.post({ type: 'outbox' });
  }

  /** Pending messages of a conversation (or of a new 1:1 chat 'new:<userId>'). */
  pendingFor(convId) {
    return this.outbox.filter((e) => e.convId === convId || (e.to.user && 'new:' + e.to.user === convId
      && !e.convId));
  }

  /**
   * Queues a message; it is sent at once when online and kept (in localStorage) until the server answers
   * sent. The clientMsgId makes every resend idempotent.
   */
  send(convId, body, media) {
    const c = this.conversations.get(convId);
    const to = convId.startsWith('new:') ? { user: convId.slice(4) } : { conversation: convId };
    const entry = { clientMsgId: uuid(), convId: convId.startsWith('new:') ? null : convId, to, body,
      media: media || undefined, ts: Date.now(), attempts: 0 };
    this.outbox.push(entry);
    this.writeOutbox();
    if (c) c.activity = Date.now();
    this.lastTypingSent.delete(convId); // typing after a send is a new episode: tell the others at once
    this.transmit(entry);
    this.changed('messages');
    return entry;
  }

  /** Adds an entry whose media is still uploading: sent once mediaId is known (see attachMedia). */
  queueUpload(convId, body, file) {
    const entry = { clientMsgId: uuid(), convId: convId.startsWith('new:') ? null : convId,
      to: convId.startsWith('new:') ? { user: convId.slice(4) } : { conversation: convId }, body,
      ts: Date.now(), attempts: 0, uploading: { name: file.name, size: file.size, type: file.type } };
    this.outbox.push(entry);
    this.writeOutbox();
    this.changed('messages');
    return entry;
  }

  attachMedia(clientMsgId, mediaId, info) {
    const e = this.outbox.find((x) => x.clientMsgId === clientMsgId);
    if (!e) return;
    e.media = { mediaId, info };
    delete e.uploading;
    this.writeOutbox();
    this.transmit(e);
    this.changed('messages');
  }

  failUpload(clientMsgId, message) {
    const e = this.outbox.find((x) => x.clientMsgId === clientMsgId);
    if (!e) return;
    e.failed = message;
    this.writeOutbox();
    this.changed('messages');
  }

  transmit(e) {
    if (e.failed || e.uploading) return;
    const frame = { type: 'send', clientMsgId: e.clientMsgId, to: e.to, body: e.body || '' };
    if (e.media) frame.media = { mediaId: e.media.mediaId };
    this.conn.send(frame);
  }

  flushOutbox() {
    this.outbox = this.readOutbox();
    for (const e of this.outbox) this.transmit(e);
  }

  dropFromOutbox(clientMsgId) {
    const before = this.outbox.length;
    this.outbox = this.readOutbox().filter((e) => e.clientMsgId !== clientMsgId);
    if (this.outbox.length !== before) this.writeOutbox();
  }

  onSent(s) {
    const entry = this.outbox.find((e) => e.clientMsgId === s.clientMsgId)
      || this.readOutbox().find((e) => e.clientMsgId === s.clientMsgId);
    const known = this.conversations.has(s.conversationId);
    const c = this.conv(s.conversationId);
    if (!entry) {
      // another tab sent the same outbox entry and took it out first: read the message from the server
      if (c.loaded && !c.messages.has(s.seq)) this.fetchOne(c, s.seq).catch(() => {});
      return;
    }
    const m = { conversationId: s.conversationId, seq: s.seq, messageId: s.messageId, from: this.session.userId,
      fromDevice: this.session.deviceId, clientMsgId: s.clientMsgId, body: entry ? entry.body : '', ts: s.ts };
    if (entry.media) m.media = entry.media.info || { mediaId: entry.media.mediaId };
    if (c.loaded) this.addMessage(c, m);
    else if (!c.lastMessage || s.seq > c.lastMessage.seq) {
      c.lastMessage = m;
      c.lastSeq = Math.max(c.lastSeq, s.seq);
    }
    c.activity = Math.max(c.activity, s.ts);
    this.dropFromOutbox(s.clientMsgId);
    this.post({ type: 'message', message: m });
    if (entry.to.user) this.notify('created', { from: 'new:' + entry.to.user, to: s.conversationId });
    if (!known || entry.media) this.refreshConversations().catch(() => {});
    this.changed('messages');
  }

  onError(f) {
    if (!f.ref) {
      this.notify('problem', { message: f.message || f.code });
      return;
    }
    const e = this.outbox.find((x) => x.clientMsgId === f.ref);
    if (!e) return;
    if (RETRIABLE.has(f.code)) {
      e.attempts = (e.attempts || 0) + 1;
      const cap = Math.min(15_000, 500 * 2 ** e.attempts);
      clearTimeout(this.retryTimers.get(e.clientMsgId));
      this.retryTimers.set(e.clientMsgId, setTimeout(() => this.transmit(e), cap / 2 + Math.random() * cap / 2));
      return;
    }
    e.failed = f.message || f.code;
    this.writeOutbox();
    this.changed('messages');
  }

  retry(clientMsgId) {
    const e = this.outbox.find((x) => x.clientMsgId === clientMsgId);
    if (!e || e.uploading) return;
    delete e.failed;
    this.writeOutbox();
    this.transmit(e);
    this.changed('messages');
  }

  discard(clientMsgId) {
    this.dropFromOutbox(clientMsgId);
    this.changed('messages');
  }

  // ---- other tabs ----------------------------------------------------------------------------------------

  post(msg) {
    if (this.channel) this.channel.postMessage(msg);
  }

  /** Another tab of this browser (same device, so the server does not echo its sends to us). */
  fromOtherTab(msg) {
    if (msg.type === 'message') {
      const c = this.conv(msg.message.conversationId);
      if (c.loaded) this.addMessage(c, msg.message);
      else if (!c.lastMessage || msg.message.seq > c.lastMessage.seq) {
        c.lastMessage = msg.message;
        c.lastSeq = Math.max(c.lastSeq, msg.message.seq);
        c.activity = Math.max(c.activity, msg.message.ts);
      }
      this.outbox = this.readOutbox();
      this.refreshConversations().catch(() => {});
      this.changed('messages');
    } else if (msg.type === 'outbox') {
      this.outbox = this.readOutbox();
      this.changed('messages');
    } else if (msg.type === 'read') {
      const c = this.conversations.get(msg.conversationId);
      if (c) {
        c.readSent = Math.max(c.readSent, msg.seq);
        if (msg.seq >= c.lastSeq) c.unread = 0;
        this.changed('list');
      }
    } else if (msg.type === 'logout') {
      this.notify('unauthorized', { reason: 'logged out in another tab' });
    } else if (msg.type === 'privacy') {
      this.changed('privacy');
    }
  }

  // ---- account -------------------------------------------------------------------------------------------

  privacy() {
    return localStorage.getItem(PRIVACY_KEY + ':' + this.session.userId) || 'everyone';
  }

  async setPrivacy(value) {
    await this.api.setPrivacy(value);
    localStorage.setItem(PRIVACY_KEY + ':' + this.session.userId, value);
    this.post({ type: 'privacy' });
    this.subscribePresence(); // the own setting changes what we may see
  }

  async logout() {
    try {
      await this.api.logout();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
    }
    this.post({ type: 'logout' });
  }

  totalUnread() {
    let n = 0;
    for (const c of this.conversations.values()) n += c.unread || 0;
    return n;
  }
}

function safeJson(s) {
  try {
    return s ? JSON.parse(s) : null;
  } catch (e) {
    return null;
  }
}
