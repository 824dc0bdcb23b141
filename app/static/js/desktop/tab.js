// One open interaction: its tab button (with the unread badge), conversation, composer and
// sidebar, and the live events applied to it in order.

import { api } from "./api.js";
import { Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { askClose, askTransfer, chooseReaction } from "./dialogs.js";
import { el, iconButton } from "./dom.js";
import { Sequencer } from "./live.js";
import { openMenu } from "./popover.js";
import { Sender } from "./sending.js";
import { Sidebar } from "./sidebar.js";

export class Tab {
  constructor(desktop, id, interaction) {
    this.desktop = desktop;
    this.boot = desktop.boot;
    this.id = id;
    this.interaction = interaction || { id };
    this.contact = null;
    this.unread = 0;
    this.sequencer = new Sequencer(desktop.socket, id, (event) => this.apply(event), (reason) => (reason ? this.lose(reason) : this.lost || this.lose("Your access to this conversation changed")), () => this.reload());
    this.conversation = new Conversation(id, this.bubbleContext());
    this.sender = new Sender(id, this.conversation, this.boot.user, (text, level) => this.composer.notice(text, level),
      () => ({ contact: this.contact || {}, agent: this.boot.user, account: this.account }));
    this.composer = new Composer(this);
    this.sidebar = new Sidebar(this);
    this.build();
    this.conversation.scroller.addEventListener("scroll", () => this.seen(), { passive: true });
  }

  get account() {
    return this.boot.accounts.find((a) => a.id === this.interaction.account_id) || { capabilities: [], allowed_attachment_types: [], limits: {}, max_attachment_bytes: 0 };
  }

  contactName() {
    const contact = this.interaction.contact;
    return contact?.name || contact?.phone || contact?.username || "Customer";
  }

  build() {
    this.badge = el("span", { class: "dk-badge", "data-testid": "unread-badge", hidden: true });
    this.label = el("span", { class: "dk-tab-label" });
    this.button = el("button", { type: "button", role: "tab", class: "dk-tab-main", id: `tab-${this.id}`, "aria-controls": `pane-${this.id}`, "aria-selected": "false", onclick: () => this.desktop.show(this) }, this.label, this.badge);
    this.closeButton = iconButton("x", "Close tab", { class: "dk-icon-btn dk-tab-close", "data-testid": "tab-close", onclick: () => this.requestClose() });
    this.tabElement = el("div", { class: "dk-tab", "data-testid": "tab", "data-id": this.id }, this.button, this.closeButton);
    this.title = el("h2", { class: "dk-chat-title", "data-testid": "chat-title" });
    this.subtitle = el("p", { class: "dk-chat-sub muted" });
    this.stateLine = el("p", { class: "dk-state-line", "data-testid": "state-line", hidden: true });
    const sideToggle = iconButton("person", "Contact and interaction details", { class: "dk-icon-btn dk-side-toggle", "aria-expanded": "false",
      onclick: () => sideToggle.setAttribute("aria-expanded", String(this.pane.classList.toggle("dk-show-side"))) });
    const head = el("header", { class: "dk-chat-head" }, el("div", { class: "dk-chat-who" }, this.title, this.subtitle), sideToggle,
      iconButton("more", "Conversation actions", { "aria-haspopup": "menu", "data-testid": "chat-menu", onclick: (event) => this.chatMenu(event.currentTarget) }));
    this.pane = el("section", { class: "dk-pane", role: "tabpanel", id: `pane-${this.id}`, "aria-labelledby": `tab-${this.id}`, "data-testid": "pane", "data-id": this.id, hidden: true },
      el("div", { class: "dk-chat" }, head, this.stateLine, this.conversation.scroller, this.composer.element), this.sidebar.element);
    this.refresh();
  }

  async load() {
    await this.sequencer.watch(); // join the room first, so nothing falls between the page and the events
    const seq = await this.showLatest();
    this.loaded = true;
    this.sequencer.start(seq);
    if (this.active) this.openView();
    this.refresh();
    this.sidebar.renderDetails();
    if (this.active) this.desktop.reveal(this); // the label now has its real width
    this.sidebar.loadContact();
    this.sidebar.loadHistory();
  }

  // The latest page and the interaction as the engine has them now; resolves to their seq.
  async showLatest() {
    const data = await this.conversation.loadLatest((page) => (this.interaction = { ...this.interaction, ...page.interaction }));
    // The engine's count is what the agent has not seen yet (it survives reloads); events after the page add to it.
    this.setUnread(this.interaction.unread || 0);
    return data.interaction.seq;
  }

  // The engine no longer keeps every event this tab missed: draw it again from the engine's state.
  async reload() {
    const atEnd = !this.active || this.conversation.nearEnd();
    const seq = await this.showLatest();
    if (atEnd) this.conversation.atEnd = true;
    if (atEnd && this.active) this.conversation.scrollToEnd();
    this.refresh();
    this.sidebar.renderDetails();
    this.desktop.refreshCount();
    return seq;
  }

  // --- state ----------------------------------------------------------------------------
  get mine() {
    return this.interaction.agent_id === this.boot.user.id || (this.boot.user.role === "admin" && this.interaction.status === "open");
  }

  readOnlyReason() {
    const i = this.interaction;
    if (this.lost) return this.lost;
    if (i.status === "closed") return "This interaction is closed.";
    if (i.status === "queued") return "Waiting to be accepted.";
    if (i.status === "open" && !this.mine) return `Assigned to ${i.agent_name || "another agent"}.`;
    return null;
  }

  windowSecondsLeft() {
    const i = this.interaction;
    if (i.window_expired || !i.window_expires_at) return 0;
    return Math.max(0, Math.floor((Date.parse(i.window_expires_at) - Date.now()) / 1000));
  }

  windowOpen() {
    return this.windowSecondsLeft() > 0;
  }

  refresh() {
    this.label.textContent = this.contactName();
    this.title.textContent = this.contactName();
    const i = this.interaction;
    // A customer whose number WhatsApp withholds is shown by their username.
    this.subtitle.textContent = [i.contact?.phone || i.contact?.username, i.account_name, i.queue_name].filter(Boolean).join(" · ");
    const reason = this.readOnlyReason();
    this.stateLine.hidden = !reason;
    this.stateLine.replaceChildren(reason || "");
    if (this.lost) this.stateLine.append(" ", el("button", { type: "button", class: "btn dk-small", text: "Close tab", "data-testid": "state-close-tab", onclick: () => this.desktop.closeTab(this) }));
    this.composer.setReadOnly(i.id && reason ? reason : null);
    if (this.drawnReadOnly !== undefined && this.drawnReadOnly !== reason) this.conversation.rerender();
    // Closed or taken away: notices about working on it (a contact added, a refused send) no longer apply.
    if (reason && !this.drawnReadOnly) this.composer.notice(null);
    this.drawnReadOnly = reason;
    this.tabElement.classList.toggle("dk-tab-closed", i.status === "closed");
    // The X says what it does: it ends my open conversation (confirmed, with a disposition), else it only hides the tab.
    const closeLabel = this.closesConversation() ? `Close conversation with ${this.contactName()}…` : `Close tab of ${this.contactName()}`;
    this.closeButton.setAttribute("aria-label", closeLabel);
    this.closeButton.title = closeLabel;
    this.composer.tick();
  }

  setUnread(count) {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = String(count);
    this.badge.setAttribute("aria-label", `${count} unread`);
    this.desktop.updateTitle();
  }

  // --- live events ----------------------------------------------------------------------
  // Taken out of the interaction's room (transferred away, out of its queue): nothing new will
  // arrive, so say so instead of going quiet. The server's notice says why; the sequencer's own
  // (its replay refused) does not replace it when it comes second.
  lose(reason) {
    this.lost = `${reason} — you can no longer see new messages.`;
    this.refresh();
  }

  apply(event) {
    if (event.interaction) this.interaction = { ...this.interaction, ...event.interaction };
    if (this.lost && this.interaction.agent_id === this.boot.user.id) {
      this.lost = null; // given back to me: follow it again
      this.sequencer.rejoin();
    }
    const c = this.conversation;
    switch (event.event) {
      case "message":
      case "offer":
      case "closed":
      case "reopened":
      case "transferred":
      case "assigned": // an admin's assignment carries its system line
        if (event.message) c.upsert(event.message);
        if (event.message?.direction === "in") this.arrived();
        break;
      case "message_status":
        c.setStatus(event);
        break;
      case "reaction":
        c.setReaction(event);
        break;
      case "message_edited":
        c.setEdited(event, this.boot.user.role === "admin");
        break;
      case "message_deleted":
        c.setDeleted(event, this.boot.user.role === "admin");
        break;
      case "media_ready":
      case "media_failed":
      case "media_pending":
        c.update(event.message_id, { media: event.media });
        break;
      default:
        break; // offer_withdrawn, window_expired: the interaction card is enough
    }
    this.refresh();
    this.sidebar.renderDetails();
    this.desktop.tabChanged(this, event);
  }

  // A customer message is unread until the agent has it in view.
  arrived() {
    this.setUnread(this.unread + 1);
    this.seen();
  }

  // What the pane shows is read: customer messages scrolled into view leave the count, and the
  // engine learns up to which message (so a reload opens at the first one still unread). The
  // first view also tells it, as that is when the customer gets the read receipt.
  seen() {
    if (!this.active || !this.loaded || document.hidden || this.opening) return;
    const c = this.conversation;
    const left = this.unread ? c.unseen(this.unread) : 0;
    if (left < this.unread || !this.viewed) {
      this.viewed = true;
      this.setUnread(left);
      const position = c.lastShownPosition();
      if (this.mine && position !== null) api.action(this.id, "read", { position }).catch(() => null);
    }
    c.showNew(this.unread);
  }

  // Shown again: at the first unread message under its divider, else where the agent left it.
  async openView() {
    this.opening = true;
    try {
      if (this.unread) await this.conversation.markUnread(this.unread);
      else this.conversation.restore();
    } finally {
      this.opening = false;
    }
    this.seen();
  }

  set active(on) {
    const was = this.active;
    if (was && !on) {
      this.conversation.remember();
      if (!this.unread) this.conversation.dropDivider(); // read: the divider has done its job
    }
    this._active = on;
    this.pane.hidden = !on;
    this.button.setAttribute("aria-selected", String(on));
    this.tabElement.classList.toggle("dk-tab-active", on);
    if (on) {
      if (this.loaded && !was) this.openView();
      this.composer.tick();
    }
  }

  get active() {
    return Boolean(this._active);
  }

  // --- actions --------------------------------------------------------------------------
  bubbleContext() {
    const tab = this;
    return {
      userId: this.boot.user.id,
      isAdmin: this.boot.user.role === "admin",
      get readOnly() {
        return Boolean(tab.interaction.status && tab.readOnlyReason());
      },
      contactName: () => this.contactName(),
      findByProviderId: (pid) => this.conversation.findByProviderId(pid),
      jumpTo: (pid) => this.conversation.jumpTo(pid),
      retry: (message) => this.sender.retry(message),
      retryMedia: (message) => api.retryMedia(this.id, message.id).catch((error) => this.composer.notice(error.message, "error")),
      messageActions: (message) => this.messageActions(message),
      messageMenu: (message, anchor) => openMenu(anchor, this.messageActions(message)),
      cardMenu: (message, index, anchor) => openMenu(anchor, [{ label: "Add contact", testid: "add-contact", run: () => this.addContact(message, index) }]),
    };
  }

  messageActions(message) {
    if (this.readOnlyReason() || !message.provider_message_id || !["in", "out"].includes(message.direction)) return [];
    const actions = [];
    const account = this.account;
    if (account.quote_reply) actions.push({ label: "Reply", testid: "action-reply", run: () => this.composer.quote(message) });
    if (message.direction === "in" && account.capabilities.includes("reactions")) {
      actions.push({ label: "Send reaction", testid: "action-react", run: () => this.react(message) });
      if (message.reactions?.agent?.emoji) actions.push({ label: "Remove reaction", testid: "action-unreact", run: () => this.sender.react(message, "") });
    }
    return actions;
  }

  react(message) {
    const row = this.conversation.rows.get(message.id);
    const anchor = row?.querySelector("[data-testid=message-menu]");
    const current = this.conversation.messages.get(message.id)?.reactions?.agent?.emoji;
    chooseReaction(anchor, current, (emoji) => this.sender.react(message, emoji));
  }

  async addContact(message, index) {
    try {
      const { contact } = await api.addContact(this.id, message.id, index);
      this.composer.notice(`${[contact.first_name, contact.last_name].filter(Boolean).join(" ") || contact.phone} was added to the contacts.`, "success");
    } catch (error) {
      this.composer.notice(error.message, "error");
    }
  }

  chatMenu(anchor) {
    const items = [];
    const open = this.closesConversation();
    if (open && this.account.allow_transfer) items.push({ label: "Transfer", testid: "action-transfer", run: () => this.transfer() });
    if (open) items.push({ label: "Close conversation", testid: "action-close", run: () => this.requestClose() });
    items.push({ label: "Close tab", testid: "action-close-tab", run: () => this.desktop.closeTab(this) });
    openMenu(anchor, items);
  }

  async transfer() {
    const target = await askTransfer(this.boot, this.interaction.agent_id);
    if (!target) return;
    try {
      await api.action(this.id, "transfer", target);
      this.desktop.closeTab(this);
    } catch (error) {
      this.composer.notice(`Not transferred: ${error.message}`, "error");
    }
  }

  // The X on the tab: an open conversation of mine is closed (after confirming); others just leave.
  closesConversation() {
    return this.interaction.status === "open" && this.mine;
  }

  async requestClose() {
    if (!this.closesConversation()) return this.desktop.closeTab(this);
    const choice = await askClose(this.contactName());
    if (!choice) return;
    try {
      await api.action(this.id, "close", choice);
      this.desktop.closeTab(this);
    } catch (error) {
      this.desktop.show(this);
      this.composer.notice(`Not closed: ${error.message}`, "error");
    }
  }

  contactChanged() {
    const c = this.contact;
    const name = [c.first_name, c.last_name].filter(Boolean).join(" ");
    if (name) this.interaction.contact = { ...this.interaction.contact, name };
    this.refresh();
  }

  destroy() {
    this.sequencer.unwatch();
    this.tabElement.remove();
    this.pane.remove();
  }
}
