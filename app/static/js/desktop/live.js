// Live events applied in order, once each, per interaction (the engine numbers them with `seq`).
//
// A tab's events are buffered until its first page is loaded, applied strictly one after
// another, and a gap (a lost event, or a reconnect) is filled by asking the server for
// everything after the last applied number: no duplicate, no gap, whatever the network did.
// The server keeps a bounded log: when it no longer holds what we missed (too far behind, or
// the log expired) it says so, and the tab loads the conversation afresh instead.

import { api } from "./api.js";

function ask(socket, event, data) {
  return new Promise((resolve, reject) => {
    if (!socket.connected) return reject(new Error("offline"));
    socket.timeout(8000).emit(event, data, (err, answer) => (err ? reject(err) : resolve(answer)));
  });
}

const STALE_GAP_MS = 15000;

export class Sequencer {
  constructor(socket, interactionId, apply, refused, reload) {
    this.socket = socket;
    this.id = interactionId;
    this.apply = apply;
    this.refused = refused; // the server no longer lets us watch (access lost while we were away); with its reason when known
    this.reload = reload; // shows the latest page and interaction again; resolves to their seq
    this.lastSeq = null; // null: still loading, keep everything
    this.buffer = new Map();
    this.syncing = false;
    this.pending = null; // a scheduled re-sync while a gap waits for its event
    this.gapSince = null;
    this.retry = null;
  }

  // The page has been loaded as of `seq`: apply what came meanwhile.
  start(seq) {
    this.lastSeq = seq;
    this.drain();
  }

  push(event) {
    if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // already applied
    this.buffer.set(event.seq, event);
    if (this.lastSeq !== null) this.drain();
  }

  drain(fromSync = false) {
    while (this.buffer.has(this.lastSeq + 1)) {
      const event = this.buffer.get(this.lastSeq + 1);
      this.buffer.delete(this.lastSeq + 1);
      this.lastSeq += 1;
      this.apply(event);
    }
    for (const seq of this.buffer.keys()) if (seq <= this.lastSeq) this.buffer.delete(seq);
    if (!this.buffer.size) this.retry = null;
    if (this.buffer.size && !this.syncing && !fromSync && !this.pending) this.sync();
  }

  // Fetch what we missed: over the socket when connected, else over HTTP. Every number has its
  // event, but the event is recorded a moment after the number is taken: while a gap remains,
  // ask again a little later. A gap that outlives STALE_GAP_MS (a server that died between the
  // two writes) or a log that no longer reaches back far enough reloads the conversation.
  async sync() {
    if (this.lastSeq === null) return;
    const from = this.lastSeq;
    this.syncing = true;
    let answer = null;
    try {
      answer = await ask(this.socket, "sync", { interaction_id: this.id, after_seq: from });
      if (answer?.error) answer = null;
    } catch {
      answer = null;
    }
    if (!answer) answer = await api.events(this.id, from).catch(() => null);
    this.syncing = false;
    if (!answer || this.lastSeq === null) return; // offline (the reconnect will sync again), or reloading
    // Too far behind: reload, unless another answer or the live events already took us past `from`.
    if (answer.complete === false) return this.lastSeq === from ? this.resync() : undefined;
    for (const event of answer.events || []) if (event.seq > this.lastSeq) this.buffer.set(event.seq, event);
    this.drain(true);
    if (!this.buffer.size) {
      this.gapSince = null;
      return;
    }
    this.gapSince ??= Date.now();
    if (Date.now() - this.gapSince > STALE_GAP_MS) return this.resync();
    this.retry = Math.min((this.retry || 150) * 2, 2000);
    this.pending = setTimeout(() => {
      this.pending = null;
      if (!this.syncing && this.buffer.size) this.sync();
    }, this.retry);
  }

  // Start again from the latest page; events arriving meanwhile wait in the buffer and those
  // the page already shows are dropped.
  async resync() {
    const from = this.lastSeq;
    this.lastSeq = null;
    clearTimeout(this.pending);
    this.pending = null;
    this.gapSince = null;
    this.retry = null;
    let seq;
    try {
      seq = await this.reload();
    } catch {
      this.lastSeq = from; // offline: the reconnect will sync again
      return;
    }
    this.start(seq);
  }

  // After a reconnect: join the interaction's room again, then catch up.
  async rejoin() {
    let answer;
    try {
      answer = await ask(this.socket, "watch", { interaction_id: this.id });
    } catch {
      return;
    }
    if (answer?.error === "forbidden") return this.refused(answer.reason);
    await this.sync();
  }

  watch() {
    return ask(this.socket, "watch", { interaction_id: this.id }).catch(() => null);
  }

  unwatch() {
    ask(this.socket, "unwatch", { interaction_id: this.id }).catch(() => null);
  }
}
