// Live events applied in order, once each, per interaction (the engine numbers them with `seq`).
//
// A tab's events are buffered until its first page is loaded, applied strictly one after
// another, and a gap (a lost event, or a reconnect) is filled by asking the server for
// everything after the last applied number: no duplicate, no gap, whatever the network did.

import { api } from "./api.js";

function ask(socket, event, data) {
  return new Promise((resolve, reject) => {
    if (!socket.connected) return reject(new Error("offline"));
    socket.timeout(8000).emit(event, data, (err, answer) => (err ? reject(err) : resolve(answer)));
  });
}

export class Sequencer {
  constructor(socket, interactionId, apply) {
    this.socket = socket;
    this.id = interactionId;
    this.apply = apply;
    this.lastSeq = null; // null: still loading, keep everything
    this.buffer = new Map();
    this.syncing = false;
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

  drain() {
    while (this.buffer.has(this.lastSeq + 1)) {
      const event = this.buffer.get(this.lastSeq + 1);
      this.buffer.delete(this.lastSeq + 1);
      this.lastSeq += 1;
      this.apply(event);
    }
    for (const seq of this.buffer.keys()) if (seq <= this.lastSeq) this.buffer.delete(seq);
    if (this.buffer.size && !this.syncing) this.sync();
  }

  // Fetch what we missed: over the socket when connected, else over HTTP.
  async sync() {
    if (this.lastSeq === null) return;
    this.syncing = true;
    let answer = null;
    try {
      answer = await ask(this.socket, "sync", { interaction_id: this.id, after_seq: this.lastSeq });
      if (answer?.error) answer = null;
    } catch {
      answer = null;
    }
    if (!answer) answer = await api.events(this.id, this.lastSeq).catch(() => null);
    this.syncing = false;
    if (!answer) return; // offline: the reconnect will sync again
    for (const event of answer.events || []) if (event.seq > this.lastSeq) this.buffer.set(event.seq, event);
    const before = this.lastSeq;
    this.drain();
    // Some changes bump the number without an event of their own: skip such a hole, never wait on it.
    if (this.buffer.size && this.lastSeq === before && !this.syncing) {
      this.lastSeq = Math.min(...this.buffer.keys()) - 1;
      this.drain();
    }
  }

  // After a reconnect: join the interaction's room again, then catch up.
  async rejoin() {
    try {
      await ask(this.socket, "watch", { interaction_id: this.id });
    } catch {
      return;
    }
    await this.sync();
  }

  watch() {
    return ask(this.socket, "watch", { interaction_id: this.id }).catch(() => null);
  }

  unwatch() {
    ask(this.socket, "unwatch", { interaction_id: this.id }).catch(() => null);
  }
}
