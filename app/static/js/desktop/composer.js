// The composer of one tab: text (Enter sends, Shift+Enter new line), emoji, canned answers,
// one attachment, voice notes, interactive messages, internal notes, quote reply, the window bar
// and its warnings.

import { kindOf, refusal } from "./attachments.js";
import { quoteText } from "./bubbles.js";
import { cannedPicker } from "./canned.js";
import { el, formatLeft, formatSize, icon, iconButton } from "./dom.js";
import { emojiPicker } from "./emoji.js";
import { askInteractive } from "./interactive.js";
import { closePopover, openPopover } from "./popover.js";
import { VoiceRecorder } from "./recorder.js";
import { TypingSignal } from "./typing.js";

const DRAFT_KEY = (id) => `parley.draft.${id}`;

export class Composer {
  constructor(tab) {
    this.tab = tab;
    this.quoted = null;
    this.attachment = null;
    this.noteMode = false;
    this.typing = new TypingSignal(tab);
    this.build();
  }

  build() {
    const tab = this.tab;
    this.countdown = el("span", { class: "dk-window", "data-testid": "window-countdown", "aria-live": "off" });
    this.recontactButton = el("button", { type: "button", class: "btn dk-small", text: "Send recontact template", "data-testid": "recontact", onclick: () => tab.sender.recontact() });
    this.notices = el("div", { class: "dk-notices", "data-testid": "composer-notice", role: "alert" });
    this.quoteBar = el("div", { class: "dk-bar dk-quote-bar", "data-testid": "quote-bar", hidden: true });
    this.attachBar = el("div", { class: "dk-bar dk-attach-bar", "data-testid": "attachment-preview", hidden: true });
    this.recorder = new VoiceRecorder((blob) => this.sendVoice(blob), (reason) => this.notice(reason, "error"));
    this.text = el("textarea", { class: "dk-input", rows: 1, placeholder: "Type a message", "aria-label": "Message", "data-testid": "composer-input" });
    this.text.value = sessionStorage.getItem(DRAFT_KEY(tab.id)) || "";
    this.text.addEventListener("input", () => {
      this.saveDraft();
      if (this.text.value.trim() && !this.noteMode) this.typing.typed();
    });
    this.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.fileInput = el("input", { type: "file", class: "sr-only", tabindex: "-1", "aria-hidden": "true", "data-testid": "file-input", onchange: () => this.pick(this.fileInput.files[0]) });
    this.emojiButton = iconButton("smile", "Emoji", { "aria-haspopup": "true", "data-testid": "emoji-button", onclick: () => this.openEmoji() });
    this.cannedButton = iconButton("canned", "Canned answers", { "aria-haspopup": "true", "data-testid": "canned-button", onclick: () => this.openCanned() });
    // Offered only where the account's provider sends interactive messages (tick() keeps it so).
    this.interactiveButton = iconButton("buttons", "Interactive message: buttons, list or link", { "aria-haspopup": "dialog", "data-testid": "interactive-button", hidden: true, onclick: () => this.openInteractive() });
    this.noteButton = iconButton("note", "Internal note mode", { "aria-pressed": "false", "data-testid": "note-toggle", onclick: () => this.toggleNote() });
    this.sendButton = iconButton("send", "Send", { class: "dk-icon-btn dk-send", "data-testid": "send", onclick: () => this.submit() });
    this.tools = el(
      "div",
      { class: "dk-tools" },
      this.emojiButton,
      this.cannedButton,
      iconButton("clip", "Attach a file", { "data-testid": "attach-button", onclick: () => this.fileInput.click() }),
      iconButton("mic", "Record a voice message", { "data-testid": "record-button", onclick: () => this.recorder.start() }),
      this.interactiveButton,
      this.noteButton,
    );
    this.element = el(
      "div",
      { class: "dk-composer", "data-testid": "composer" },
      el("div", { class: "dk-window-bar" }, this.countdown, this.recontactButton),
      this.notices,
      this.quoteBar,
      this.attachBar,
      this.recorder.bar,
      el("div", { class: "dk-compose-row" }, this.tools, this.text, this.sendButton, this.fileInput),
    );
  }

  saveDraft() {
    const value = this.text.value;
    if (value) sessionStorage.setItem(DRAFT_KEY(this.tab.id), value);
    else sessionStorage.removeItem(DRAFT_KEY(this.tab.id));
    this.text.style.height = "auto";
    this.text.style.height = `${Math.min(this.text.scrollHeight, 160)}px`;
  }

  insert(text) {
    const { selectionStart: start, selectionEnd: end, value } = this.text;
    this.text.value = value.slice(0, start) + text + value.slice(end);
    this.text.selectionStart = this.text.selectionEnd = start + text.length;
    this.saveDraft();
    this.text.focus();
  }

  openEmoji() {
    openPopover(this.emojiButton, emojiPicker((char) => {
      closePopover();
      this.insert(char);
    }));
  }

  openCanned() {
    const tab = this.tab;
    const values = () => ({ contact: tab.contact || {}, agent: tab.boot.user, account: tab.account });
    openPopover(this.cannedButton, cannedPicker(values, (text, answer) => {
      closePopover();
      // An answer with buttons opens the interactive dialog, filled in, where the provider can send it.
      if (answer.buttons?.length && this.canSendInteractive()) this.openInteractive({ type: "button", body: text, buttons: answer.buttons });
      else this.insert(text);
    }));
  }

  canSendInteractive() {
    return this.tab.account.capabilities.includes("interactive");
  }

  // Interactive messages go out only inside the 24-hour window; outside, the composer says so.
  async openInteractive(prefill = {}) {
    if (!this.tab.windowOpen()) {
      const recontact = el("button", { type: "button", class: "btn btn-primary dk-small", text: "Send recontact template", onclick: () => { this.notice(null); this.tab.sender.recontact(); } });
      return this.notice("The 24-hour window is closed: interactive messages cannot go out. Send a template instead.", "warning", [recontact]);
    }
    const content = await askInteractive(this.tab.boot.interactive_limits, prefill);
    if (!content) return null;
    this.notice(null);
    const quoted = this.quoted;
    const payload = { kind: "interactive", interactive: content };
    if (quoted) payload.reply_to = quoted.id;
    this.unquote();
    return this.tab.sender.send(payload, { quoted });
  }

  toggleNote(on = !this.noteMode) {
    this.noteMode = on;
    this.noteButton.setAttribute("aria-pressed", String(on));
    this.element.classList.toggle("dk-note-mode", on);
    this.text.placeholder = this.placeholder();
    this.sendButton.setAttribute("aria-label", on ? "Add note" : "Send");
    this.sendButton.title = on ? "Add note" : "Send";
    this.text.focus();
  }

  notice(text, level = "error", actions = []) {
    this.notices.replaceChildren();
    if (!text) return;
    this.notices.append(
      el("div", { class: `dk-notice dk-notice-${level}` }, el("span", { text }), ...actions, iconButton("x", "Dismiss", { onclick: () => this.notice(null) })),
    );
  }

  // Quote reply: the next message answers `message`.
  quote(message) {
    this.quoted = message;
    this.quoteBar.hidden = false;
    this.quoteBar.replaceChildren(
      icon("reply"),
      el("div", { class: "dk-quote-text" }, el("strong", { text: message.direction === "in" ? this.tab.contactName() : "You" }), " ", quoteText(message)),
      iconButton("x", "Cancel the reply", { "data-testid": "quote-cancel", onclick: () => this.unquote() }),
    );
    this.text.focus();
  }

  unquote() {
    this.quoted = null;
    this.quoteBar.hidden = true;
    this.quoteBar.replaceChildren();
  }

  pick(file) {
    this.fileInput.value = "";
    if (!file) return;
    const kind = kindOf(file);
    const reason = refusal(file, kind, this.tab.account, this.tab.boot);
    if (reason) return this.notice(reason, "error");
    this.clearAttachment();
    const url = URL.createObjectURL(file);
    this.attachment = { file, kind, url };
    const preview = kind === "image" || kind === "sticker" ? el("img", { src: url, alt: `Preview of ${file.name}`, class: "dk-attach-thumb" }) : icon("doc");
    this.attachBar.hidden = false;
    this.attachBar.replaceChildren(
      preview,
      el("div", { class: "dk-doc-info" }, el("strong", { text: file.name }), el("span", { class: "muted", text: `${kind} · ${formatSize(file.size)} · the text becomes its caption` })),
      iconButton("x", "Remove the attachment", { "data-testid": "attachment-remove", onclick: () => this.clearAttachment(true) }),
    );
    this.notice(null);
    this.text.focus();
  }

  clearAttachment(revoke = false) {
    if (revoke && this.attachment) URL.revokeObjectURL(this.attachment.url);
    this.attachment = null;
    this.attachBar.hidden = true;
    this.attachBar.replaceChildren();
  }

  // Free text after the window closes: warn, and send only if the agent insists.
  confirmClosedWindow() {
    if (this.tab.windowOpen()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const sendAnyway = el("button", { type: "button", class: "btn dk-small", text: "Send anyway", "data-testid": "send-anyway", onclick: () => { this.notice(null); resolve(true); } });
      const recontact = el("button", { type: "button", class: "btn btn-primary dk-small", text: "Send recontact template", onclick: () => { this.notice(null); this.tab.sender.recontact(); resolve(false); } });
      this.notice("The 24-hour window is closed: WhatsApp will probably refuse free text. Send the recontact template to continue the conversation.", "warning", [recontact, sendAnyway]);
      sendAnyway.focus();
    });
  }

  async submit() {
    const text = this.text.value.trim();
    if (this.noteMode) return this.submitNote(text);
    if (!text && !this.attachment) return;
    if (!(await this.confirmClosedWindow())) return;
    this.notice(null); // what it said (a refused file, a failed note) was about an earlier attempt
    const quoted = this.quoted;
    const payload = this.attachment ? { kind: this.attachment.kind, caption: text || undefined } : { kind: "text", text };
    if (quoted) payload.reply_to = quoted.id;
    const attachment = this.attachment;
    this.text.value = "";
    this.saveDraft();
    this.unquote();
    this.clearAttachment();
    this.text.focus();
    this.tab.sender.send(payload, { file: attachment?.file, localUrl: attachment?.url, quoted });
  }

  async submitNote(text) {
    if (!text) return;
    this.sendButton.disabled = true;
    try {
      await this.tab.sender.note(text);
      this.text.value = "";
      this.saveDraft();
      this.notice(null);
    } catch (error) {
      this.notice(`The note was not saved: ${error.message}`, "error"); // the text stays in the box
    } finally {
      this.sendButton.disabled = false;
    }
  }

  sendVoice(blob) {
    const file = new File([blob], `voice-note.${blob.type.includes("ogg") ? "ogg" : "webm"}`, { type: blob.type });
    const reason = refusal(file, "voice", this.tab.account, this.tab.boot);
    if (reason) return this.notice(reason, "error");
    if (!this.tab.windowOpen()) this.notice("The 24-hour window is closed: the voice message will probably be refused.", "warning");
    this.tab.sender.send({ kind: "voice" }, { file, localUrl: URL.createObjectURL(blob) });
  }

  // Called every second by the desktop while this tab is shown.
  tick() {
    const left = this.tab.windowSecondsLeft();
    this.countdown.textContent = left > 0 ? `Window closes in ${formatLeft(left)}` : "24-hour window closed";
    this.countdown.classList.toggle("dk-window-closed", left <= 0);
    this.countdown.classList.toggle("dk-window-soon", left > 0 && left < 3600);
    this.interactiveButton.hidden = !this.canSendInteractive();
  }

  setReadOnly(reason) {
    this.element.classList.toggle("dk-readonly", Boolean(reason));
    for (const control of this.element.querySelectorAll("button, textarea")) control.disabled = Boolean(reason);
    this.text.placeholder = reason || this.placeholder();
  }

  // The box's hint follows the mode, whatever redraws it (a live event refreshes the tab).
  placeholder() {
    return this.noteMode ? "Internal note: only agents see it, never sent to the customer" : "Type a message";
  }
}
