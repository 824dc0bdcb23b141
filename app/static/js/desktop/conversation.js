// The conversation pane of one tab: the latest page first, older pages as the agent scrolls up,
// day separators, and messages updated in place as events arrive.

import { api } from "./api.js";
import { refreshReactions, refreshStatus, renderMessage } from "./bubbles.js";
import { dayKey, dayLabel, el } from "./dom.js";

const PAGE = 50;
const RANK = { queued: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 99 };

export class Conversation {
  constructor(interactionId, ctx) {
    this.id = interactionId;
    this.ctx = ctx; // what bubbles need: actions, menus, contact name…
    this.messages = new Map();
    this.rows = new Map();
    this.firstPosition = 0;
    this.hasOlder = false;
    this.loadingOlder = null;
    this.list = el("ol", { class: "dk-messages", "aria-label": "Messages", "data-testid": "messages" });
    this.divider = el("li", { class: "dk-unread-divider", role: "separator", "data-testid": "unread-divider" }, el("span"));
    this.newButton = el("button", { type: "button", class: "dk-new-button", "data-testid": "new-messages", hidden: true, onclick: () => this.scrollToEnd() });
    this.scroller = el("div", { class: "dk-scroller", tabindex: "0", "aria-label": "Conversation" }, el("div", { class: "dk-older", "data-testid": "older-status" }), this.list,
      el("div", { class: "dk-new-holder" }, this.newButton));
    this.atEnd = true; // where the agent left the view when the tab was hidden
    this.fromBottom = 0;
    this.scroller.addEventListener("scroll", () => {
      if (this.scroller.scrollTop < 400 && this.hasOlder) this.loadOlder();
    }, { passive: true });
  }

  // The first page; `prepare(data)` runs before rendering (the bubbles' menus depend on the interaction).
  async loadLatest(prepare) {
    const data = await api.interaction(this.id, undefined, PAGE);
    prepare(data);
    this.messages.clear(); // drawn afresh: also after a reload, when rows of the old page go
    this.rows.clear();
    this.firstPosition = data.paging.first_position;
    this.hasOlder = data.paging.has_older;
    this.list.replaceChildren(this.fragment(data.messages));
    this.olderStatus();
    return data;
  }

  loadOlder() {
    if (!this.loadingOlder) {
      this.loadingOlder = this.fetchOlder().finally(() => (this.loadingOlder = null));
    }
    return this.loadingOlder;
  }

  async fetchOlder() {
    this.olderStatus("Loading older messages…");
    const data = await api.interaction(this.id, this.firstPosition, PAGE).catch(() => null);
    if (!data) return this.olderStatus("Could not load older messages; scroll up to try again.");
    const fresh = data.messages.filter((m) => !this.messages.has(m.id));
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    const fragment = this.fragment(fresh);
    const first = this.list.firstElementChild;
    const lastFresh = fresh[fresh.length - 1];
    // One separator per day: the existing one goes if the older page ends on the same day.
    if (first?.classList.contains("dk-day") && lastFresh && first.dataset.day === dayKey(lastFresh.at)) first.remove();
    this.list.prepend(fragment);
    this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
    this.firstPosition = data.paging.first_position;
    this.hasOlder = data.paging.has_older;
    this.olderStatus();
  }

  olderStatus(text) {
    this.scroller.firstElementChild.textContent = text || (this.hasOlder ? "" : "Start of the conversation");
  }

  // Rows for messages in order, each day opened by a separator.
  fragment(messages) {
    const fragment = document.createDocumentFragment();
    let day = null;
    for (const message of messages) {
      this.messages.set(message.id, message);
      if (dayKey(message.at) !== day) {
        day = dayKey(message.at);
        fragment.append(this.separator(message.at));
      }
      fragment.append(this.row(message));
    }
    return fragment;
  }

  separator(at) {
    return el("li", { class: "dk-day", "data-day": dayKey(at), role: "separator" }, el("span", { text: dayLabel(at) }));
  }

  row(message) {
    const row = renderMessage(message, this.ctx);
    this.rows.set(message.id, row);
    return row;
  }

  nearEnd() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 160;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // --- where the agent is: unread divider, "new" button, the view kept while the tab is hidden ---
  // A hidden pane has no layout (its scroll position cannot be set), so the tab calls these as it hides and shows.
  remember() {
    this.atEnd = this.nearEnd();
    this.fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    this.newButton.hidden = true;
  }

  restore() {
    if (this.atEnd) this.scrollToEnd();
    else this.scroller.scrollTop = this.scroller.scrollHeight - this.fromBottom;
  }

  // "N unread messages" above the first of the last `count` customer messages (older pages are
  // loaded until it is there), scrolled to the top of the view.
  async markUnread(count) {
    let inbound = this.list.querySelectorAll(".dk-row.dk-in");
    for (let pages = 0; inbound.length < count && this.hasOlder && pages < 40; pages += 1) {
      await this.loadOlder();
      inbound = this.list.querySelectorAll(".dk-row.dk-in");
    }
    const first = inbound[Math.max(0, inbound.length - count)];
    if (!first) return this.scrollToEnd();
    this.divider.firstElementChild.textContent = `${count} unread message${count === 1 ? "" : "s"}`;
    first.before(this.divider);
    this.scroller.scrollTop += this.divider.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top - 8;
  }

  dropDivider() {
    this.divider.remove();
  }

  // How many of the last `count` customer messages are still below the fold.
  unseen(count) {
    const bottom = this.scroller.getBoundingClientRect().bottom + 2;
    const inbound = this.list.querySelectorAll(".dk-row.dk-in");
    let below = 0;
    for (let i = inbound.length - 1; i >= 0 && below < count && inbound[i].getBoundingClientRect().bottom > bottom; i -= 1) below += 1;
    return below;
  }

  // The place of the last message wholly in view (the engine counts what is unread after it).
  lastShownPosition() {
    const bottom = this.scroller.getBoundingClientRect().bottom + 2;
    const rows = this.list.querySelectorAll("[data-testid=message]");
    for (let i = rows.length - 1; i >= 0; i -= 1) {
      const position = this.messages.get(rows[i].dataset.id)?.position;
      if (rows[i].getBoundingClientRect().bottom <= bottom && Number.isInteger(position)) return position;
    }
    return null;
  }

  // "↓ N new": customer messages below the fold while the agent reads older ones.
  showNew(count) {
    this.newButton.hidden = !(count > 0 && !this.nearEnd());
    this.newButton.textContent = `↓ ${count} new`;
    this.newButton.setAttribute("aria-label", `${count} new message${count === 1 ? "" : "s"}: go to the latest`);
  }

  // A new or changed message; a status never moves backwards (events and answers may cross).
  upsert(incoming) {
    const existing = this.messages.get(incoming.id);
    let message = incoming;
    if (existing) {
      message = { ...existing, ...incoming, local_error: null };
      if ((RANK[existing.status] ?? -1) > (RANK[incoming.status] ?? -1)) {
        Object.assign(message, { status: existing.status, error: existing.error, provider_message_id: existing.provider_message_id || incoming.provider_message_id });
      }
      if (existing.media?.local_url && message.media) message.media = { ...message.media, local_url: existing.media.local_url };
      this.messages.set(message.id, message);
      const row = this.rows.get(message.id);
      if (row) row.replaceWith(this.row(message));
      return message;
    }
    const stick = this.nearEnd() || message.direction === "out" || message.internal;
    const lastDay = [...this.list.querySelectorAll(".dk-day")].pop()?.dataset.day;
    if (dayKey(message.at || new Date().toISOString()) !== lastDay) this.list.append(this.separator(message.at || new Date().toISOString()));
    this.messages.set(message.id, message);
    this.list.append(this.row(message));
    if (stick) this.scrollToEnd();
    return message;
  }

  update(id, changes, how = "row") {
    const existing = this.messages.get(id);
    if (!existing) return null;
    const message = { ...existing, ...changes };
    this.messages.set(id, message);
    const row = this.rows.get(id);
    if (row && how === "status") refreshStatus(row, message, this.ctx);
    else if (row && how === "reactions") refreshReactions(row, message, this.ctx);
    else if (row) row.replaceWith(this.row(message));
    return message;
  }

  // Menus and buttons depend on who holds the interaction: draw every row again when that changes.
  rerender() {
    for (const [id, row] of this.rows) row.replaceWith(this.row(this.messages.get(id)));
  }

  setStatus(event) {
    const existing = this.messages.get(event.message_id);
    if (!existing) return;
    const changes = { held: event.held || false, retry: event.retry || null, error: event.error || existing.error, local_error: null };
    if (event.provider_message_id) changes.provider_message_id = event.provider_message_id;
    if ((RANK[event.status] ?? -1) >= (RANK[existing.status] ?? -1) || existing.local_error) changes.status = event.status;
    this.update(event.message_id, changes, "status");
  }

  setReaction(event) {
    const existing = this.messages.get(event.message_id);
    if (existing) this.update(event.message_id, { reactions: { ...(existing.reactions || {}), [event.side]: event.reaction } }, "reactions");
  }

  // The customer edited a message: its new words. Admins keep the earlier ones, as the engine does.
  setEdited(event, admin) {
    const existing = this.messages.get(event.message_id);
    if (!existing) return;
    const field = "caption" in event ? "caption" : "text";
    const changes = { [field]: event[field], edited_at: event.edited_at };
    if (admin) changes.edits = [...(existing.edits || []), { text: existing[field], until: event.edited_at }];
    this.update(event.message_id, changes);
  }

  // The customer deleted a message for everyone: agents no longer see what it said, admins still do.
  setDeleted(event, admin) {
    if (!this.messages.has(event.message_id)) return;
    const changes = { deleted: event.deleted };
    if (!admin) Object.assign(changes, { text: null, caption: null, media: null, location: null, contacts: null, reply: null, edits: null });
    this.update(event.message_id, changes);
  }

  findByProviderId(providerId) {
    if (!providerId) return null;
    for (const message of this.messages.values()) if (message.provider_message_id === providerId) return message;
    return null;
  }

  // Scroll to a quoted message, loading older pages until it is there.
  async jumpTo(providerId) {
    let target = this.findByProviderId(providerId);
    for (let pages = 0; !target && this.hasOlder && pages < 40; pages += 1) {
      await this.loadOlder();
      target = this.findByProviderId(providerId);
    }
    const row = target && this.rows.get(target.id);
    if (!row) return;
    row.scrollIntoView({ block: "center" });
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.classList.remove("dk-flash");
    void row.offsetWidth; // restart the highlight animation
    row.classList.add("dk-flash");
  }
}
