// A WhatsApp template as the customer will see it: header (text, image, video or document), body,
// footer and buttons, with the parameters given so far filled in. The template editor, the "+"
// dialog and the desktop's recontact dialog all draw it with this one module.
// Text is only ever set with textContent: the preview shows what was typed, never runs it.

const PARAM = /\{\{\s*(\d+)\s*\}\}/g;
const MEDIA = { IMAGE: ["🖼", "Image"], VIDEO: ["▶", "Video"], DOCUMENT: ["📄", "Document"] };

export const part = (template, type) => (template.components || []).find((c) => c.type === type);

// {{n}} → the n-th value; a parameter without a value stays visible as {{n}}.
export function fill(text, values = []) {
  return (text || "").replace(PARAM, (match, n) => (values[Number(n) - 1] || "").trim() || match);
}

export const storedFileUrl = (fileId) => `/media/${encodeURIComponent(fileId)}`;

function node(tag, props = {}, ...children) {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children.filter(Boolean));
  return element;
}

function placeholder(format, name) {
  const [symbol, label] = MEDIA[format] || ["", format];
  return node("div", { className: "wa-media", textContent: `${symbol} ${name || label}` });
}

// The header's file: one given with the parameters, the file the admin uploaded, or the sample link.
function mediaHeader(header, given, fileUrl) {
  const src = given?.link || (header.media_file_id ? fileUrl(header.media_file_id) : header.example?.header_handle?.[0]);
  const name = given?.filename || (src ? decodeURIComponent(src.split(/[?#]/)[0].split("/").pop() || "") : "");
  if (header.format === "IMAGE" && src) {
    const image = node("img", { className: "wa-media-image", src, alt: "Header image" });
    image.addEventListener("error", () => image.replaceWith(placeholder("IMAGE")), { once: true });
    return image;
  }
  if (header.format === "VIDEO" && src) return node("video", { className: "wa-media-image", src, preload: "metadata", muted: true });
  return placeholder(header.format, header.format === "DOCUMENT" ? name : "");
}

const BUTTON_MARKS = { URL: "↗ ", PHONE_NUMBER: "📞 " };

// Draw `template` ({components: [...]} as WhatsApp defines them) into `target`, with `params`
// shaped as the API takes them: {header: [text] or {link}, body: [...], buttons: {index: value}}.
export function renderTemplate(target, template, params = {}, { fileUrl = storedFileUrl } = {}) {
  const header = part(template, "HEADER");
  const footer = part(template, "FOOTER");
  const bubble = node("div", { className: "wa-bubble" });
  if (header) {
    const top =
      header.format === "TEXT"
        ? node("div", { className: "wa-header", textContent: fill(header.text, params.header) })
        : node("div", { className: "wa-header wa-header-media" }, mediaHeader(header, params.header, fileUrl));
    top.dataset.preview = "header";
    bubble.append(top);
  }
  const body = node("div", { className: "wa-body", textContent: fill(part(template, "BODY")?.text, params.body) || "Your message body" });
  body.dataset.preview = "body";
  bubble.append(body);
  if (footer?.text) {
    const foot = node("div", { className: "wa-footer", textContent: footer.text });
    foot.dataset.preview = "footer";
    bubble.append(foot);
  }
  const buttons = node("div", { className: "wa-buttons" });
  buttons.dataset.preview = "buttons";
  for (const button of part(template, "BUTTONS")?.buttons || []) {
    const shown = node("span", { className: `wa-button wa-${button.type.toLowerCase()}`, textContent: `${BUTTON_MARKS[button.type] || ""}${button.text || "Button"}` });
    shown.dataset.testid = "preview-button";
    buttons.append(shown);
  }
  const chat = node("div", { className: "wa-chat" }, bubble, buttons);
  chat.dataset.testid = "template-preview";
  target.replaceChildren(chat);
  return chat;
}
