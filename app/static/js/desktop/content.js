// What is inside a bubble, per message kind: text, media, location, contact cards, templates…

import { mediaUrl } from "./api.js";
import { el, formatSize, icon, iconButton, linkified } from "./dom.js";
import { interactivePart } from "./interactive.js";

const MEDIA_NAMES = { image: "Photo", sticker: "Sticker", video: "Video", audio: "Audio", voice: "Voice message", document: "Document" };

function mediaSource(media) {
  if (media.local_url) return media.local_url; // our own pending upload, shown before the server has it
  return media.state === "ready" || media.state === undefined ? mediaUrl(media.file_id) : null;
}

function mediaPart(message, ctx) {
  const media = message.media || {};
  const kind = media.voice && message.kind === "audio" ? "voice" : message.kind;
  const name = MEDIA_NAMES[kind] || "Attachment";
  const src = mediaSource(media);
  if (!src) {
    if (media.state === "deleted") return el("div", { class: "dk-media-missing", text: `${name}: ${media.deleted_reason || "deleted."}` });
    if (media.state === "failed") {
      return el(
        "div",
        { class: "dk-media-missing" },
        `${name} could not be downloaded. ${media.error?.reason || ""} `,
        message.direction === "in" && el("button", { type: "button", class: "btn dk-small", text: "Try again", onclick: () => ctx.retryMedia(message) }),
      );
    }
    return el("div", { class: "dk-media-missing", text: `${name} loading…` });
  }
  if (kind === "image" || kind === "sticker") {
    const img = el("img", { src, alt: message.caption || name, loading: "lazy", class: kind === "sticker" ? "dk-sticker" : "dk-image" });
    return el("a", { href: src, target: "_blank", rel: "noopener", class: "dk-media-link", "aria-label": `Open ${name.toLowerCase()}` }, img);
  }
  if (kind === "video") return el("video", { src, controls: true, preload: "metadata", class: "dk-video", "aria-label": name });
  if (kind === "audio" || kind === "voice") {
    return el(
      "div",
      { class: `dk-audio dk-${kind}` },
      icon(kind === "voice" ? "mic" : "doc"),
      el("audio", { src, controls: true, preload: "none", "aria-label": name }),
    );
  }
  return el(
    "div",
    { class: "dk-document" },
    icon("doc"),
    el("div", { class: "dk-doc-info" }, el("span", { class: "dk-doc-name", text: media.filename || "Document" }), el("span", { class: "muted", text: [formatSize(media.size), media.mime_type].filter(Boolean).join(" · ") })),
    el("a", { href: src, download: media.filename || "", class: "btn dk-small", text: "Download", "aria-label": `Download ${media.filename || "document"}` }),
  );
}

function locationPart(location) {
  const lat = Number(location.latitude);
  const lon = Number(location.longitude);
  const osm = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
  return el(
    "div",
    { class: "dk-location" },
    icon("pin"),
    el(
      "div",
      {},
      location.name && el("strong", { class: "dk-block", text: location.name }),
      location.address && el("span", { class: "dk-block", text: location.address }),
      el("span", { class: "dk-block muted", text: `${lat.toFixed(5)}, ${lon.toFixed(5)}` }),
      el("a", { href: osm, target: "_blank", rel: "noopener noreferrer", text: "Open in OpenStreetMap" }),
    ),
  );
}

function cardName(card) {
  const name = card.name;
  if (name && typeof name === "object") return name.formatted_name || [name.first_name, name.last_name].filter(Boolean).join(" ");
  return name || "Contact";
}

function contactsPart(message, ctx) {
  return (message.contacts || []).map((card, index) =>
    el(
      "div",
      { class: "dk-contact-card", "data-testid": "contact-card" },
      icon("person"),
      el(
        "div",
        { class: "dk-doc-info" },
        el("strong", { text: cardName(card) }),
        ...(card.phones || []).map((p) => el("span", { class: "muted", text: p.phone || p.wa_id || "" })),
      ),
      ctx.readOnly ? null : iconButton("more", `Contact card actions for ${cardName(card)}`, {
        "data-testid": "contact-card-menu",
        onclick: (event) => ctx.cardMenu(message, index, event.currentTarget),
      }),
    ),
  );
}

function templatePart(template) {
  const r = template.rendered || {};
  const header = r.header;
  let head = null;
  if (header?.type === "text") head = el("div", { class: "wa-header", text: header.text || "" });
  else if (header) {
    const src = header.file_id ? mediaUrl(header.file_id) : /^https?:/.test(header.link || "") ? header.link : null;
    if (header.type === "image" && src) head = el("img", { src, alt: "Template image", class: "dk-image" });
    else if (header.type === "video" && src) head = el("video", { src, controls: true, preload: "metadata", class: "dk-video" });
    else head = el("div", { class: "wa-media", text: header.type === "document" ? "📄 Document" : header.type });
  }
  return el(
    "div",
    { class: "dk-template", "data-testid": "template" },
    head,
    el("div", { class: "wa-body" }, linkified(r.body || "")),
    r.footer && el("div", { class: "wa-footer", text: r.footer }),
    (r.buttons || []).length > 0 &&
      el(
        "div",
        { class: "wa-buttons" },
        r.buttons.map((b) =>
          b.type === "URL" && /^https?:/.test(b.url || "")
            ? el("a", { class: "wa-button", href: b.url, target: "_blank", rel: "noopener noreferrer", text: b.text })
            : el("span", { class: "wa-button", text: b.type === "PHONE_NUMBER" ? `📞 ${b.text}` : b.text }),
        ),
      ),
  );
}

const REPLY_LABELS = { button_reply: "Button", list_reply: "List choice", template_reply: "Quick reply" };

export function messageBody(message, ctx) {
  const kind = message.kind;
  const parts = [];
  if (message.media || ["image", "sticker", "video", "audio", "voice", "document"].includes(kind)) parts.push(mediaPart(message, ctx));
  if (kind === "location" && message.location) parts.push(locationPart(message.location));
  if (kind === "contacts") parts.push(...contactsPart(message, ctx));
  if (kind === "template" && message.template) parts.push(templatePart(message.template));
  if (kind === "interactive" && message.interactive) parts.push(interactivePart(message.interactive));
  if (REPLY_LABELS[kind]) {
    const reply = message.reply || {};
    parts.push(el("div", { class: "dk-quick-reply" }, el("span", { class: "dk-pill", text: REPLY_LABELS[kind] }), " ", reply.title || reply.payload || ""));
  }
  if (kind === "unsupported") parts.push(el("em", { class: "muted", text: "This message type is not supported by WhatsApp's API." }));
  const text = message.text && !REPLY_LABELS[kind] ? message.text : message.caption;
  if (text) parts.push(el("div", { class: "dk-text", "data-testid": "message-text" }, linkified(text)));
  return parts;
}
