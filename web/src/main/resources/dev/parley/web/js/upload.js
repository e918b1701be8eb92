// Media uploads (docs/protocol.md "Media"): POST /v1/media, then the bytes to the signed URL. Parley's own upload
// URL speaks the core of tus 1.0, so an interrupted upload asks HEAD for Upload-Offset and PATCHes the rest.
// Object-store URLs (direct: true) get the whole content (or each part) again, then POST .../complete.

import { sha256OfBlob } from './sha256.js';
import { ApiError } from './api.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** One XHR (for upload progress, which fetch lacks). Resolves {status, headers(name), body}; rejects on network failure. */
function xhr(method, url, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    for (const [k, v] of Object.entries(headers || {})) x.setRequestHeader(k, v);
    if (onProgress && x.upload) x.upload.onprogress = (e) => onProgress(e.loaded);
    x.onload = () => resolve({ status: x.status, header: (n) => x.getResponseHeader(n), text: x.responseText });
    x.onerror = () => reject(new ApiError(0, 'network', 'connection lost'));
    x.ontimeout = () => reject(new ApiError(0, 'network', 'timed out'));
    x.onabort = () => reject(new ApiError(0, 'network', 'aborted'));
    x.send(body === undefined ? null : body);
  });
}

function failure(res) {
  let err = {};
  try {
    err = JSON.parse(res.text).error || {};
  } catch (e) {
    // not JSON
  }
  return new ApiError(res.status, err.code || (res.status >= 500 ? 'internal' : 'bad_request'),
    err.message || 'upload refused (' + res.status + ')');
}

/**
 * Uploads a file; returns {mediaId, media} once the server has it (media: the server's description, if given). onProgress({phase: 'hashing'|'uploading', done, total}).
 * Network failures and 5xx answers are retried with backoff, resuming where the server says it stopped.
 */
export async function uploadFile(api, file, onProgress = () => {}) {
  const mimeType = file.type || 'application/octet-stream';
  const sha256 = await sha256OfBlob(file, (done) => onProgress({ phase: 'hashing', done, total: file.size }));
  const slot = await retrying(() => api.createMedia(file.size, mimeType, sha256));
  if (slot.exists) {
    onProgress({ phase: 'uploading', done: file.size, total: file.size });
    return { mediaId: slot.mediaId, media: slot.media };
  }
  if (slot.parts) {
    await uploadParts(api, slot, file, onProgress);
    const done = await retrying(() => api.completeMedia(slot.mediaId));
    return { mediaId: slot.mediaId, media: done.media };
  }
  if (slot.direct) {
    await retrying(async () => {
      const res = await xhr('PUT', slot.uploadUrl, file, { 'Content-Type': mimeType },
        (n) => onProgress({ phase: 'uploading', done: n, total: file.size }));
      if (res.status >= 300) throw failure(res);
    });
    const done = await retrying(() => api.completeMedia(slot.mediaId));
    return { mediaId: slot.mediaId, media: done.media };
  }
  const media = await tusUpload(slot.uploadUrl, file, onProgress);
  return { mediaId: slot.mediaId, media };
}

async function retrying(fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiError) || !e.retriable) throw e;
      const cap = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);
      await sleep(cap / 2 + Math.random() * cap / 2);
    }
  }
}

async function tusUpload(url, file, onProgress) {
  let offset = 0;
  let first = true;
  for (let attempt = 0; ; attempt++) {
    try {
      if (!first) {
        const head = await xhr('HEAD', url);
        if (head.status !== 200) throw failure(head);
        offset = Number(head.header('Upload-Offset')) || 0;
      }
      first = false;
      const base = offset;
      onProgress({ phase: 'uploading', done: base, total: file.size });
      const body = file.slice(offset);
      const res = offset === 0
        ? await xhr('PUT', url, body, { 'Content-Type': 'application/offset+octet-stream' },
          (n) => onProgress({ phase: 'uploading', done: base + n, total: file.size }))
        : await xhr('PATCH', url, body, { 'Upload-Offset': String(offset), 'Tus-Resumable': '1.0.0',
          'Content-Type': 'application/offset+octet-stream' },
        (n) => onProgress({ phase: 'uploading', done: base + n, total: file.size }));
      if (res.status === 201 || res.status === 200) {
        onProgress({ phase: 'uploading', done: file.size, total: file.size });
        try {
          return JSON.parse(res.text).media || null;
        } catch (e) {
          return null;
        }
      }
      if (res.status === 204 || res.status === 409) { // ended early / offset moved: ask again
        await sleep(200);
        continue;
      }
      throw failure(res);
    } catch (e) {
      if (!(e instanceof ApiError) || !e.retriable) throw e;
      const cap = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 10));
      await sleep(cap / 2 + Math.random() * cap / 2);
    }
  }
}

async function uploadParts(api, slot, file, onProgress) {
  let parts = slot.parts;
  for (let round = 0; ; round++) {
    const missing = parts.filter((p) => !p.received);
    if (missing.length === 0) return;
    let done = parts.filter((p) => p.received).reduce((n, p) => n + p.length, 0);
    for (const p of missing) {
      try {
        const res = await xhr('PUT', p.url, file.slice(p.offset, p.offset + p.length), {},
          (n) => onProgress({ phase: 'uploading', done: done + n, total: file.size }));
        if (res.status >= 300) throw failure(res);
        done += p.length;
      } catch (e) {
        if (!(e instanceof ApiError) || !e.retriable) throw e;
        break;
      }
    }
    const cap = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(round, 10));
    if (round > 0) await sleep(cap / 2 + Math.random() * cap / 2);
    parts = (await retrying(() => api.mediaParts(slot.mediaId))).parts;
  }
}
