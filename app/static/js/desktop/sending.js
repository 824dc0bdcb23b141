// Sending from the desktop: the bubble shows at once as pending, then its real status.
//
// Every send carries a client-generated id; retrying a send that may have reached the server
// reuses it, so the engine stores and sends the message once. A message the provider refused
// is sent again as a new message (the failed one stays in the history, as on WhatsApp).

import { api } from "./api.js";
import { upload } from "./attachments.js";
import { clientId } from "./dom.js";
import { askRecontact } from "./recontact.js";

export class Sender {
  constructor(interactionId, conversation, user, notice, values = () => ({})) {
    this.id = interactionId;
    this.conversation = conversation;
    this.user = user;
    this.notice = notice; // shows warnings and errors in the composer
    this.values = values; // {contact, agent, account}: what template parameters may be prefilled from
    this.pending = new Map(); // client id → {payload, file}
  }

  // `payload` is the API body without client_id; `file` is uploaded first (kind from payload).
  send(payload, { file = null, quoted = null, localUrl = null } = {}) {
    const id = clientId();
    const full = { ...payload, client_id: id };
    this.pending.set(id, { payload: full, file });
    const preview = {
      id,
      direction: "out",
      author: "agent",
      kind: payload.kind,
      text: payload.text,
      caption: payload.caption,
      interactive: payload.interactive,
      status: "queued",
      at: new Date().toISOString(),
      reactions: {},
      agent: { id: this.user.id, name: this.user.name },
      reply_to: quoted?.provider_message_id,
    };
    if (file) preview.media = { local_url: localUrl, filename: file.name, size: file.size, mime_type: file.type, state: "ready" };
    this.conversation.upsert(preview);
    return this.attempt(id);
  }

  async attempt(id) {
    const entry = this.pending.get(id);
    try {
      if (entry.file && !entry.payload.media) {
        const stored = await upload(this.id, entry.file, entry.payload.kind);
        entry.payload.media = { file_id: stored.file_id };
      }
      const answer = await api.send(this.id, entry.payload);
      this.pending.delete(id);
      this.conversation.upsert(answer.message);
      if (answer.warnings?.length) this.notice(answer.warnings.join(" "), "warning");
      return answer.message;
    } catch (error) {
      const reason = error.status === 0 ? "Not sent: no connection." : `Not sent: ${error.message}`;
      this.conversation.update(id, { local_error: reason }, "status");
      return null;
    }
  }

  // Retry from a bubble: the same id while the server may not have it, a new message after a refusal.
  retry(message) {
    if (this.pending.has(message.id)) {
      this.conversation.update(message.id, { local_error: null }, "status");
      return this.attempt(message.id);
    }
    if (message.recontact) return this.recontact();
    const payload = { kind: message.kind };
    if (message.kind === "text") payload.text = message.text;
    else if (message.kind === "interactive") payload.interactive = message.interactive;
    else if (message.media?.file_id) Object.assign(payload, { media: { file_id: message.media.file_id }, caption: message.caption || undefined });
    else return this.notice("This message cannot be sent again from here.", "error");
    const quoted = message.reply_to ? this.conversation.findByProviderId(message.reply_to) : null;
    if (quoted) payload.reply_to = quoted.id;
    return this.send(payload, { quoted });
  }

  // Previewed and filled in first (askRecontact); nothing is sent when the agent cancels.
  async recontact() {
    try {
      const params = await askRecontact(this.id, this.values());
      if (!params) return;
      const answer = await api.recontact(this.id, params);
      this.conversation.upsert(answer.message);
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  // Internal notes: never sent to the provider; the engine gives them their own id.
  async note(text) {
    const answer = await api.send(this.id, { internal: true, text });
    this.conversation.upsert(answer.message);
  }

  // The agent's reaction ("" removes it); shown under the message by the engine's event.
  async react(message, emoji) {
    try {
      await api.send(this.id, { kind: "reaction", reaction: { message_id: message.id, emoji }, client_id: clientId() });
      this.conversation.setReaction({ message_id: message.id, side: "agent", reaction: emoji ? { emoji } : null });
    } catch (error) {
      this.notice(error.message, "error");
    }
  }
}
