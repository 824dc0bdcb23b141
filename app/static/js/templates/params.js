// The values a template asks for before it can be sent (header, body and URL-button parameters,
// and a media header's file when the template stores none), as labelled fields. A body
// parameter whose sample is a placeholder such as {contact.first_name} starts filled from the
// contact, as canned answers are.
import { part } from "./preview.js";

const PARAM = /\{\{\s*(\d+)\s*\}\}/g;
const PLACEHOLDER = /^\{(contact|agent|account)\.([a-z_]+)\}$/;

const count = (text) => new Set([...(text || "").matchAll(PARAM)].map((m) => m[1])).size;

// [{group: "header" | "body" | "button" | "media", index, label, sample}], in the order shown.
export function parameterSpecs(template) {
  const specs = [];
  const header = part(template, "HEADER");
  if (header?.format === "TEXT") {
    for (let i = 1; i <= count(header.text); i += 1) specs.push({ group: "header", index: i - 1, label: `Header {{${i}}}` });
  } else if (header && !header.media_file_id && !header.example?.header_handle?.[0]) {
    specs.push({ group: "media", label: `Link to the header's ${header.format.toLowerCase()}` });
  }
  const body = part(template, "BODY");
  const samples = body?.example?.body_text?.[0] || [];
  for (let i = 1; i <= count(body?.text); i += 1) specs.push({ group: "body", index: i - 1, label: `Parameter {{${i}}}`, sample: samples[i - 1] });
  (part(template, "BUTTONS")?.buttons || []).forEach((button, index) => {
    if (button.type === "URL" && count(button.url)) specs.push({ group: "button", index, label: `Link of “${button.text}”` });
  });
  return specs;
}

// The value a sample placeholder names, from {contact, agent, account}; "" when it names none.
export function prefill(sample, values = {}) {
  const match = PLACEHOLDER.exec((sample || "").trim());
  const value = match ? values[match[1]]?.[match[2]] : "";
  return value === undefined || value === null ? "" : String(value);
}

// Labelled inputs for `template`; onInput(params) after every keystroke.
// Returns {element, params(), missing()} — missing() lists the labels still empty.
export function parameterFields(template, values, onInput, idPrefix = "tp") {
  const specs = parameterSpecs(template);
  const box = document.createElement("div");
  box.className = "template-params";
  const inputs = specs.map((spec, n) => {
    const input = Object.assign(document.createElement("input"), { id: `${idPrefix}-param-${n}`, autocomplete: "off" });
    input.value = spec.group === "body" ? prefill(spec.sample, values) : "";
    if (spec.sample && !PLACEHOLDER.test(spec.sample.trim())) input.placeholder = spec.sample;
    if (spec.group === "body") input.dataset.testid = `param-${spec.index + 1}`;
    if (spec.group === "media") input.type = "url";
    const label = Object.assign(document.createElement("label"), { htmlFor: input.id, textContent: spec.label });
    const field = document.createElement("div");
    field.className = "field";
    field.append(label, input);
    box.append(field);
    return input;
  });

  function params() {
    const out = { body: [], buttons: {} };
    specs.forEach((spec, n) => {
      const value = inputs[n].value.trim();
      if (spec.group === "media") out.header = value ? { link: value } : {};
      else if (spec.group === "header") (out.header ||= [])[spec.index] = value;
      else if (spec.group === "body") out.body[spec.index] = value;
      else out.buttons[String(spec.index)] = value;
    });
    return out;
  }

  box.addEventListener("input", () => onInput?.(params()));
  const missing = () => specs.filter((_, n) => !inputs[n].value.trim()).map((spec) => spec.label);
  return { element: box, params, missing, first: inputs[0] };
}
