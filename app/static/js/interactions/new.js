// The "+" dialog: looks the number up in the account's contacts (and says when the customer
// already has an open conversation there), offers the account's templates
// available for agents (with their parameters, prefilled from the contact where a sample names a
// contact field, and a preview behind the eye button) or a free message, sends through
// POST /api/v1/interactions and opens the new interaction's tab in the desktop.
// An account whose provider cannot start conversations stays listed, with the product's warning.
import { parameterFields } from "../templates/params.js";
import { renderTemplate } from "../templates/preview.js";
import { api } from "./api.js";

export function setUpNewInteraction(dialog) {
  const form = dialog.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const status = dialog.querySelector('[data-testid="new-contact-status"]');
  const openNotice = dialog.querySelector('[data-testid="new-open-interaction"]');
  const nameField = dialog.querySelector("[data-new-name]");
  const paramsBox = dialog.querySelector("[data-params]");
  const preview = dialog.querySelector('[data-testid="new-template-preview"]');
  const eye = dialog.querySelector('[data-testid="new-template-eye"]');
  const warning = dialog.querySelector('[data-testid="new-account-warning"]');
  const send = form.querySelector('[data-testid="new-send"]');
  const error = dialog.querySelector('[data-testid="new-error"]');
  const agent = { name: dialog.dataset.agentName, email: dialog.dataset.agentEmail };
  let templates = [];
  let contact = {};
  let fields = null;

  const mode = () => form.querySelector('input[name="mode"]:checked').value;
  const chosen = () => templates.find((t) => t.id === field("template_id").value);
  const account = () => field("account_id").selectedOptions[0];
  const canStart = () => Boolean(account()) && !account().hasAttribute("data-cannot-start");

  function showMode() {
    dialog.querySelectorAll("[data-mode]").forEach((box) => { box.hidden = box.dataset.mode !== mode(); });
  }

  function showPreview(params) {
    const template = chosen();
    if (template && !preview.hidden) renderTemplate(preview, template, params);
  }

  function showParams() {
    const template = chosen();
    const values = { contact, agent, account: { name: account()?.textContent || "" } };
    fields = template ? parameterFields(template, values, showPreview, "n") : null;
    paramsBox.replaceChildren(...(fields ? [fields.element] : []));
    eye.disabled = !template;
    if (!template) togglePreview(false);
    showPreview(fields?.params() || {});
  }

  function togglePreview(on) {
    preview.hidden = !on;
    eye.setAttribute("aria-pressed", String(on));
    showPreview(fields?.params() || {});
  }

  function showAccount() {
    const allowed = canStart();
    warning.hidden = allowed;
    send.disabled = !allowed || !openNotice.hidden;
    form.querySelectorAll("input, textarea, select:not([name=account_id])").forEach((input) => { input.disabled = !allowed; });
    eye.disabled = !allowed || !chosen();
  }

  async function loadTemplates() {
    const select = field("template_id");
    select.replaceChildren();
    templates = [];
    if (canStart()) {
      try {
        const { data } = await api(`/api/v1/templates?account_id=${encodeURIComponent(field("account_id").value)}&per_page=100`);
        templates = data.filter((t) => t.available_for_agents);
      } catch (err) {
        error.textContent = err.message;
      }
    }
    for (const t of templates) select.append(new Option(`${t.name} (${t.language})`, t.id));
    if (!templates.length) select.append(new Option("No template available for agents", ""));
    showParams();
    showAccount();
  }

  // The engine refuses a second open conversation with the customer on the account: say so before
  // anything is typed, with a link to the one that exists.
  function showOpen(open) {
    openNotice.hidden = !open;
    send.disabled = !canStart() || !openNotice.hidden;
    if (!open) return;
    const who = open.mine ? "with you" : open.agent_name ? `with ${open.agent_name}` : `waiting in the ${open.queue_name || "account's"} queue`;
    const href = open.mine ? `/desktop/?open=${encodeURIComponent(open.id)}` : `/interactions/${encodeURIComponent(open.id)}`;
    const link = Object.assign(document.createElement("a"), { href, textContent: "Open it", className: "btn" });
    link.dataset.testid = "new-open-link";
    openNotice.replaceChildren(`This customer already has an open conversation on this account (${who}): continue there. `, link);
  }

  async function lookUp() {
    const phone = field("phone").value.trim();
    nameField.hidden = true;
    contact = {};
    showOpen(null);
    if (!phone || !canStart()) { status.textContent = ""; return; }
    const query = new URLSearchParams({ account_id: field("account_id").value, phone });
    try {
      const found = await api(`/interactions/contact-lookup?${query}`);
      field("phone").value = found.phone;
      status.textContent = found.contact ? `Contact: ${found.contact.name}` : "New number: the contact is created when you send.";
      nameField.hidden = Boolean(found.contact);
      contact = found.contact?.fields || { phone: found.phone, mobile: found.phone };
      showOpen(found.open_interaction);
    } catch (err) {
      status.textContent = err.message;
    }
    showParams();
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "mode") showMode();
    if (event.target.name === "template_id") showParams();
    if (event.target.name === "account_id") { loadTemplates(); lookUp(); }
    if (event.target.name === "phone") lookUp();
  });
  eye.addEventListener("click", () => togglePreview(preview.hidden));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!canStart()) return;
    const body = { account_id: field("account_id").value, phone: field("phone").value.trim() };
    if (!nameField.hidden && field("name").value.trim()) body.name = field("name").value.trim();
    if (mode() === "template") {
      const missing = fields?.missing() || [];
      if (missing.length) {
        error.textContent = `Fill in the template's parameters: ${missing.join(", ")}.`;
        return;
      }
      body.template_id = field("template_id").value;
      body.params = fields?.params() || {};
    } else {
      body.text = field("text").value;
    }
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
