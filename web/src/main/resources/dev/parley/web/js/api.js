// REST calls of protocol v1 (docs/protocol.md section 3), same origin.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** Whether the same request may succeed later unchanged (network failure, 5xx, 429). */
  get retriable() {
    return this.status === 0 || this.code === 'internal' || this.code === 'unavailable'
      || this.code === 'rate_limited';
  }
}

export class Api {
  constructor(token = null) {
    this.token = token;
  }

  async call(method, path, body) {
    const headers = {};
    if (this.token) headers.Authorization = 'Bearer ' + this.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'network', 'Cannot reach the server');
    }
    if (res.status === 204) return null;
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      // not JSON (e.g. a proxy's error page)
    }
    if (!res.ok) {
      const err = json && json.error ? json.error : {};
      throw new ApiError(res.status, err.code || (res.status >= 500 ? 'internal' : 'bad_request'),
        err.message || res.statusText, Number(res.headers.get('Retry-After')) || 0);
    }
    return json;
  }

  register(username, password, displayName) {
    return this.call('POST', '/v1/accounts', { username, password, displayName: displayName || undefined });
  }

  login(username, password, deviceName) {
    return this.call('POST', '/v1/sessions', { username, password, deviceName });
  }

  logout() {
    return this.call('DELETE', '/v1/sessions/current');
  }

  devices() {
    return this.call('GET', '/v1/devices');
  }

  revoke(deviceId) {
    return this.call('DELETE', '/v1/devices/' + encodeURIComponent(deviceId));
  }

  userByName(username) {
    return this.call('GET', '/v1/users?username=' + encodeURIComponent(username));
  }

  user(userId) {
    return this.call('GET', '/v1/users/' + encodeURIComponent(userId));
  }

  conversations() {
    return this.call('GET', '/v1/conversations');
  }

  history(conversationId, { beforeSeq, afterSeq, limit = 50 } = {}) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (beforeSeq) q.set('beforeSeq', String(beforeSeq));
    if (afterSeq !== undefined && afterSeq !== null) q.set('afterSeq', String(afterSeq));
    return this.call('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages?${q}`);
  }

  receipts(conversationId, seq) {
    return this.call('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages/${seq}/receipts`);
  }

  setPrivacy(lastSeen) {
    return this.call('PUT', '/v1/me/privacy', { lastSeen });
  }

  createGroup(name, description, members) {
    return this.call('POST', '/v1/groups', { name, description: description || undefined, members });
  }

  group(id) {
    return this.call('GET', '/v1/groups/' + encodeURIComponent(id));
  }

  updateGroup(id, changes) {
    return this.call('PATCH', '/v1/groups/' + encodeURIComponent(id), changes);
  }

  addMembers(id, userIds) {
    return this.call('POST', `/v1/groups/${encodeURIComponent(id)}/members`, { userIds });
  }

  removeMember(id, userId) {
    return this.call('DELETE', `/v1/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`);
  }

  setRole(id, userId, role) {
    return this.call('PUT', `/v1/groups/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`, { role });
  }

  createMedia(size, mimeType, sha256) {
    return this.call('POST', '/v1/media', { size, mimeType, sha256 });
  }

  mediaUrl(mediaId) {
    return this.call('GET', `/v1/media/${encodeURIComponent(mediaId)}/url`);
  }

  mediaParts(mediaId) {
    return this.call('GET', `/v1/media/${encodeURIComponent(mediaId)}/parts`);
  }

  completeMedia(mediaId) {
    return this.call('POST', `/v1/media/${encodeURIComponent(mediaId)}/complete`);
  }
}
