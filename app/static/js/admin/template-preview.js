// Live preview of a WhatsApp template as a chat bubble, from the template form's fields.
// Text is only ever set with textContent: the preview shows what the admin typed, never runs it.
const form = document.getElementById("template-form");
const part = (name) => document.querySelector(`[data-preview="${name}"]`);
const value = (name) => form.elements.namedItem(name)?.value ?? "";
const MEDIA_LABELS = { IMAGE: "Image", VIDEO: "Video", DOCUMENT: "Document" };

function fill(text, samples) {
  return text.replace(/\{\{\s*(\d+)\s*\}\}/g, (match, n) => samples[Number(n) - 1] || match);
}

function render() {
  const samples = value("samples").split("|").map((s) => s.trim());
  const header = part("header");
  const kind = value("header_type");
  header.hidden = !kind;
  header.className = kind === "TEXT" ? "wa-header" : "wa-header wa-media";
  header.textContent = kind === "TEXT" ? fill(value("header_text"), samples) : MEDIA_LABELS[kind] || "";
  part("body").textContent = fill(value("body"), samples) || "Your message body";
  const footer = part("footer");
  footer.textContent = value("footer");
  footer.hidden = !value("footer");
  const buttons = part("buttons");
  buttons.replaceChildren();
  for (let i = 0; form.elements.namedItem(`buttons-${i}-type`); i += 1) {
    const type = value(`buttons-${i}-type`);
    if (!type) continue;
    const button = document.createElement("span");
    button.className = `wa-button wa-${type.toLowerCase()}`;
    button.dataset.testid = "preview-button";
    button.textContent = value(`buttons-${i}-text`) || "Button";
    buttons.append(button);
  }
}

if (form) {
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
}
