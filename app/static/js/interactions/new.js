// The "+" dialog: looks the number up in the account's contacts, offers the account's templates
// available for agents (with their body parameters) or a free message, sends through
// POST /api/v1/interactions and opens the new interaction's tab in the desktop.
import { api } from "./api.js";

const PARAM = /\{\{(\d+)\}\}/g;

function bodyText(template) {
  return (template.components || []).find((c) => c.type === "BODY")?.text || "";
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
    for (let i = 1; i <= paramCount(text); i += 1) {
      const label = document.createElement("label");
      label.textContent = `{{${i}}} `;
      const input = document.createElement("input");
      input.name = "param";
      input.dataset.testid = `new-param-${i}`;
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
      body.params = { body: [...paramsBox.querySelectorAll("input")].map((input) => input.value) };
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
