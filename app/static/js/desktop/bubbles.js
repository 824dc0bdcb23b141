// One message as a WhatsApp-like row: bubble, quoted message, time and ticks, reactions, menu.

import { messageBody } from "./content.js";
import { el, formatStamp, formatTime, icon, iconButton } from "./dom.js";

const TICKS = {
  queued: ["clock", "Waiting to be sent"],
  sent: ["check", "Sent"],
  delivered: ["checks", "Delivered"],
  read: ["checks", "Read"],
  played: ["mic", "Played"], // a voice note the customer listened to: the blue microphone WhatsApp shows
  failed: ["alert", "Not delivered"],
};

// Why the message failed, as the agent should read it: Parley's sentence (what happened, whether it
// retries, what to do); the provider's own words are for admins only.
export function failureReason(message) {
  const error = message.error || {};
  return error.user_message || error.message || "The provider refused this message.";
}

function retryReason(message) {
  return message.retry.error?.user_message || "The provider is busy. Parley will try again shortly.";
}

export function ticks(message) {
  const status = message.local_error ? "failed" : message.status || "queued";
  const [name, label] = TICKS[status] || TICKS.queued;
  let title = label;
  if (status === "failed") title = message.local_error || failureReason(message);
  else if (message.held) title = "Held: the account needs re-authorization; it goes out once an admin fixes it.";
  else if (message.retry) title = retryReason(message);
  return el("span", { class: `dk-ticks dk-tick-${status}`, "data-testid": "ticks", "data-status": status, title, role: "img", "aria-label": title }, icon(name));
}

// What a quote shows of the message it answers, as the Show page does (interaction_view.quote_text):
// its text, or a template's or an interactive message's body as it was sent.
export function quoteText(quoted) {
  return quoted.text || quoted.caption || quoted.template?.rendered?.body || quoted.interactive?.body || quoted.reply?.title || quoted.kind;
}

function quoteBlock(message, ctx) {
  const quoted = ctx.findByProviderId(message.reply_to);
  const label = quoted ? (quoted.direction === "in" ? ctx.contactName() : "You") : "Earlier message";
  const preview = quoted ? quoteText(quoted) : "Show the quoted message";
  return el(
    "button",
    { type: "button", class: "dk-quote", "data-testid": "quote", "aria-label": `Go to the quoted message: ${preview}`, onclick: () => ctx.jumpTo(message.reply_to) },
    el("strong", { text: label }),
    el("span", { class: "dk-quote-text", text: preview }),
  );
}

function reactionsBlock(message, ctx) {
  const reactions = message.reactions || {};
  const chips = [];
  if (reactions.customer?.emoji) chips.push(el("span", { class: "dk-reaction", title: `${ctx.contactName()} reacted`, "data-testid": "reaction-customer", text: reactions.customer.emoji }));
  if (reactions.agent?.emoji) chips.push(el("span", { class: "dk-reaction dk-reaction-mine", title: "Your reaction", "data-testid": "reaction-agent", text: reactions.agent.emoji }));
  return el("div", { class: "dk-reactions", "data-testid": "reactions" }, chips);
}

function failureLine(message, ctx) {
  if (message.retry && message.status === "queued" && !message.local_error) {
    return el("div", { class: "dk-failure dk-retrying", role: "status", "data-testid": "retrying", text: retryReason(message) });
  }
  if (!(message.local_error || message.status === "failed")) return null;
  return el(
    "div",
    { class: "dk-failure", role: "alert", "data-testid": "failure" },
    el("span", { text: message.local_error || failureReason(message) }),
    ctx.isAdmin && !message.local_error && message.error?.code && el("small", { class: "muted", "data-testid": "error-code", title: "The provider's error code", text: `code ${message.error.code}` }),
    !ctx.readOnly && el("button", { type: "button", class: "btn dk-small", text: "Retry", "data-testid": "retry", onclick: () => ctx.retry(message) }),
  );
}

// WhatsApp means a deletion as one: agents see only that it happened; admins keep the words, for the record.
function deletedNote(message, ctx) {
  const text = ctx.isAdmin ? "Deleted by the customer · kept for admins" : "Deleted by the customer";
  return el("em", { class: "dk-deleted muted", "data-testid": "deleted", text });
}

// Admins only: what the message said before each of the customer's edits.
function editHistory(message) {
  return el(
    "details",
    { class: "dk-edit-history", "data-testid": "edit-history" },
    el("summary", { text: message.edits.length === 1 ? "Original message" : `${message.edits.length} earlier versions` }),
    el("ol", {}, message.edits.map((version) => el("li", { text: version.text || "" }))),
  );
}

function rowClass(message) {
  if (message.direction === "system") return "dk-system";
  if (message.direction === "internal" || message.internal) return "dk-note";
  return message.direction === "in" ? "dk-in" : "dk-out";
}

export function renderMessage(message, ctx) {
  const kind = rowClass(message);
  const row = el("li", { class: `dk-row ${kind}${message.author === "bot" ? " dk-bot" : ""}`, "data-testid": "message", "data-author": message.author || "", "data-id": message.id, "data-kind": message.kind, "data-direction": message.direction });
  if (kind === "dk-system") {
    row.append(el("div", { class: "dk-system-line", text: `${message.text || ""} · ${formatTime(message.at)}` }));
    return row;
  }
  const bubble = el("div", { class: "dk-bubble", title: formatStamp(message.at) });
  if (kind === "dk-note") bubble.append(el("div", { class: "dk-author", text: `Internal note · ${message.agent?.name || "Agent"}` }));
  else if (message.author === "system") bubble.append(el("div", { class: "dk-author", text: message.recontact ? "System · recontact template" : message.automatic ? "Automatic message" : "System" }));
  else if (message.author === "bot") bubble.append(el("div", { class: "dk-author", text: "Bot" }));
  else if (kind === "dk-out" && message.agent && message.agent.id !== ctx.userId) bubble.append(el("div", { class: "dk-author", text: message.agent.name }));
  if (message.forwarded) bubble.append(el("div", { class: "dk-author muted", text: "Forwarded" }));
  if (message.reply_to) bubble.append(quoteBlock(message, ctx));
  if (message.deleted) bubble.append(deletedNote(message, ctx));
  if (!message.deleted || ctx.isAdmin) bubble.append(...messageBody(message, ctx));
  if (message.edited_at && ctx.isAdmin && message.edits?.length) bubble.append(editHistory(message));
  const meta = el("span", { class: "dk-meta" }, message.edited_at && el("span", { class: "dk-edited", "data-testid": "edited", title: "Edited by the customer" }, "edited "), formatTime(message.at));
  if (kind === "dk-out") meta.append(ticks(message));
  bubble.append(meta);
  const actions = ctx.messageActions(message);
  if (actions.length) {
    bubble.append(iconButton("more", "Message actions", { class: "dk-icon-btn dk-msg-menu", "data-testid": "message-menu", onclick: (event) => ctx.messageMenu(message, event.currentTarget) }));
  }
  row.append(bubble, reactionsBlock(message, ctx));
  const failure = failureLine(message, ctx);
  if (failure) row.append(failure);
  return row;
}

// In-place updates, so a playing audio or video is not reset by a status or a reaction.
export function refreshStatus(row, message, ctx) {
  const old = row.querySelector(".dk-ticks");
  if (old) old.replaceWith(ticks(message));
  row.querySelector(".dk-failure")?.remove();
  const failure = failureLine(message, ctx);
  if (failure) row.append(failure);
}

export function refreshReactions(row, message, ctx) {
  row.querySelector(".dk-reactions")?.replaceWith(reactionsBlock(message, ctx));
}
