// The WebSocket of protocol v1 (docs/protocol.md sections 4-7): auth, heartbeat, and reconnection with exponential
// backoff and full jitter on every close except 4401 (the token is gone) and client bugs (1002, 1007, 1009).

const PING_EVERY_MS = 25_000;
const SILENCE_LIMIT_MS = 20_000; // no pong this long after a ping: the connection is dead
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

export const CLOSE_UNAUTHORIZED = 4401;
const NO_RETRY = new Set([CLOSE_UNAUTHORIZED, 1002, 1007, 1009]);

/**
 * Events (via onEvent(type, detail)): 'state' {state: 'connecting'|'online'|'offline'|'stopped', retryInMs},
 * 'frame' (every server frame), 'unauthorized' (log in again).
 */
export class Connection {
  constructor(token, onEvent) {
    this.token = token;
    this.onEvent = onEvent;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.ready = false;
    this.timer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
    this.online = () => this.reconnectNow();
    window.addEventListener('online', this.online);
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.online);
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    if (this.ws) {
      this.ws.onclose = null;
      try {
        this.ws.close(1000, 'bye');
      } catch (e) {
        // already closed
      }
    }
    this.ws = null;
    this.ready = false;
    this.onEvent('state', { state: 'stopped' });
  }

  /** Skips the remaining backoff (the browser says the network is back, or the user asked). */
  reconnectNow() {
    if (this.stopped || this.ready || (this.ws && this.ws.readyState === WebSocket.CONNECTING)) return;
    clearTimeout(this.timer);
    this.open();
  }

  open() {
    clearTimeout(this.timer);
    this.ready = false;
    this.onEvent('state', { state: 'connecting' });
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws';
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: 'auth', token: this.token }));
    };
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (frame.type === 'ready') {
        this.ready = true;
        this.attempt = 0;
        this.startHeartbeat();
        this.onEvent('state', { state: 'online' });
      }
      this.onEvent('frame', frame);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      clearInterval(this.pingTimer);
      if (ev.code === CLOSE_UNAUTHORIZED) {
        this.stopped = true;
        this.onEvent('unauthorized', { reason: ev.reason });
        return;
      }
      if (NO_RETRY.has(ev.code)) {
        this.stopped = true;
        this.onEvent('state', { state: 'stopped', reason: `closed ${ev.code} ${ev.reason}` });
        return;
      }
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt++;
    this.onEvent('state', { state: 'offline', retryInMs: delay });
    this.timer = setTimeout(() => this.open(), delay);
  }

  startHeartbeat() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastHeard > PING_EVERY_MS + SILENCE_LIMIT_MS) {
        // silent too long: assume the connection is dead (e.g. a laptop woke up on another network)
        const ws = this.ws;
        ws.onclose({ code: 1006, reason: 'silent' });
        try {
          ws.close();
        } catch (e) {
          // ignore
        }
        return;
      }
      this.send({ type: 'ping' });
    }, PING_EVERY_MS);
  }

  /** Sends a frame if the connection is authenticated; returns whether it went out. */
  send(frame) {
    if (!this.ws || !this.ready || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
}
