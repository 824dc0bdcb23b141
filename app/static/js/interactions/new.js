// The "+" dialog: looks the number up in the account's contacts, offers the account's templates
// available for agents (with their header, body and URL-button parameters) or a free message, sends through
// POST /api/v1/interactions and opens the new interaction's tab in the desktop.
import { api } from "./api.js";

const PARAM = /\{\{(\d+)\}\}/g;

function part(template, type) {
  return (template.components || []).find((c) => c.type === type);
}

function bodyText(template) {
  return part(template, "BODY")?.text || "";
}

// The parameters a template asks for, in the order the dialog shows them.
function wanted(template) {
  const header = part(template, "HEADER");
  const fields = [];
  if (header?.format === "TEXT") for (let i = 1; i <= paramCount(header.text || ""); i += 1) fields.push({ part: "header", label: `Header {{${i}}}` });
  for (let i = 1; i <= paramCount(bodyText(template)); i += 1) fields.push({ part: "body", label: `{{${i}}}`, testid: `new-param-${i}` });
  (part(template, "BUTTONS")?.buttons || []).forEach((button, index) => {
    if (button.type === "URL" && paramCount(button.url || "")) fields.push({ part: "button", index, label: `Link of “${button.text}”` });
  });
  return fields;
}

function collect(box) {
  const params = { header: [], body: [], buttons: {} };
  for (const input of box.querySelectorAll("input")) {
    if (input.dataset.part === "button") params.buttons[input.dataset.index] = input.value;
    else params[input.dataset.part].push(input.value);
  }
  if (!params.header.length) delete params.header;
  return params;
}

function paramCount(text) {
  return new Set([...text.matchAll(PARAM)].map((m) => m[1])).size;
}

export function setUpNewInteraction(dialog) {
  const form = dialog.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const status = dialog.querySelector('[data-testid="new-contact-status"]');
  const nameField = dialog.querySelector("[data-new-name]");
  const paramsBox = dialog.querySelector("[data-params]");
  const preview = dialog.querySelector('[data-testid="new-template-preview"]');
  const error = dialog.querySelector('[data-testid="new-error"]');
  let templates = [];

  const mode = () => form.querySelector('input[name="mode"]:checked').value;
  const chosen = () => templates.find((t) => t.id === field("template_id").value);

  function showMode() {
    dialog.querySelectorAll("[data-mode]").forEach((box) => { box.hidden = box.dataset.mode !== mode(); });
  }

  function showParams() {
    paramsBox.replaceChildren();
    const template = chosen();
    const text = template ? bodyText(template) : "";
    preview.textContent = text;
    for (const spec of template ? wanted(template) : []) {
      const label = document.createElement("label");
      label.textContent = `${spec.label} `;
      const input = document.createElement("input");
      input.name = "param";
      input.dataset.part = spec.part;
      if (spec.index !== undefined) input.dataset.index = String(spec.index);
      if (spec.testid) input.dataset.testid = spec.testid;
      label.append(input);
      paramsBox.append(label);
    }
  }

  async function loadTemplates() {
    const account = field("account_id").value;
    const select = field("template_id");
    select.replaceChildren();
    try {
      const { data } = await api(`/api/v1/templates?account_id=${encodeURIComponent(account)}&per_page=100`);
      templates = data.filter((t) => t.available_for_agents);
    } catch (err) {
      templates = [];
      error.textContent = err.message;
    }
    for (const t of templates) select.append(new Option(`${t.name} (${t.language})`, t.id));
    if (!templates.length) select.append(new Option("No template available for agents", ""));
    showParams();
  }

  async function lookUp() {
    const phone = field("phone").value.trim();
    nameField.hidden = true;
    if (!phone) { status.textContent = ""; return; }
    const query = new URLSearchParams({ account_id: field("account_id").value, phone });
    try {
      const found = await api(`/interactions/contact-lookup?${query}`);
      field("phone").value = found.phone;
      status.textContent = found.contact ? `Contact: ${found.contact.name}` : "New number: the contact is created when you send.";
      nameField.hidden = Boolean(found.contact);
    } catch (err) {
      status.textContent = err.message;
    }
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "mode") showMode();
    if (event.target.name === "template_id") showParams();
    if (event.target.name === "account_id") { loadTemplates(); lookUp(); }
    if (event.target.name === "phone") lookUp();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = { account_id: field("account_id").value, phone: field("phone").value.trim() };
    if (!nameField.hidden && field("name").value.trim()) body.name = field("name").value.trim();
    if (mode() === "template") {
      body.template_id = field("template_id").value;
      body.params = collect(paramsBox);
    } else {
      body.text = field("text").value;
    }
    const send = form.querySelector('[data-testid="new-send"]');
    send.disabled = true;
    try {
      const { interaction } = await api("/api/v1/interactions", { method: "POST", body });
      window.location.assign(`/desktop/?open=${encodeURIComponent(interaction.id)}`);
    } catch (err) {
      error.textContent = err.message;
      send.disabled = false;
    }
  });

  showMode();
  loadTemplates();
}
