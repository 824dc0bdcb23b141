// Live preview of the template being edited, drawn by the shared template preview from the
// form's fields, with the sample parameters filled in.
import { renderTemplate } from "../templates/preview.js";

const form = document.getElementById("template-form");
const target = document.querySelector('[data-testid="preview"] [data-preview-target]');
const value = (name) => form.elements.namedItem(name)?.value ?? "";
let localFile = null; // a header file chosen but not uploaded yet, shown from the disk

// The form as WhatsApp components, the shape the shared preview draws.
function templateFromForm() {
  const components = [];
  const format = value("header_type");
  if (format === "TEXT") components.push({ type: "HEADER", format, text: value("header_text") });
  else if (format) {
    const header = { type: "HEADER", format, media_file_id: value("header_media_file_id") || undefined };
    if (value("header_media_url").trim()) header.example = { header_handle: [value("header_media_url").trim()] };
    components.push(header);
  }
  components.push({ type: "BODY", text: value("body") });
  if (value("footer")) components.push({ type: "FOOTER", text: value("footer") });
  const buttons = [];
  for (let i = 0; form.elements.namedItem(`buttons-${i}-type`); i += 1) {
    if (value(`buttons-${i}-type`)) buttons.push({ type: value(`buttons-${i}-type`), text: value(`buttons-${i}-text`) });
  }
  if (buttons.length) components.push({ type: "BUTTONS", buttons });
  return { components };
}

function render() {
  const samples = value("samples").split("|").map((s) => s.trim());
  const header = localFile ? { link: localFile.url, filename: localFile.name } : samples.slice(0, 1);
  renderTemplate(target, templateFromForm(), { header, body: samples });
}

function pickFile(file) {
  if (localFile) URL.revokeObjectURL(localFile.url);
  localFile = file ? { url: URL.createObjectURL(file), name: file.name } : null;
}

if (form && target) {
  form.addEventListener("input", render);
  form.addEventListener("change", (event) => {
    if (event.target.name === "header_file") pickFile(event.target.files[0]);
    render();
  });
  render();
}
