// The recontact dialog: the account's recontact template as the customer will see it, with its
// parameters asked for (prefilled from the contact where a sample names a contact field).
// Resolves with the parameters to send, or null when the agent cancels.

import { parameterFields } from "../templates/params.js";
import { renderTemplate } from "../templates/preview.js";
import { api } from "./api.js";
import { el } from "./dom.js";
import { dialog } from "./popover.js";

export async function askRecontact(interactionId, values) {
  const { template } = await api.recontactTemplate(interactionId);
  const preview = el("div", { class: "template-preview-box", "data-testid": "recontact-preview" });
  let problem = null; // the dialog's error line, once a missing value was reported there
  const fields = parameterFields(template, values, (params) => {
    renderTemplate(preview, template, params);
    if (problem) problem.textContent = "";
  }, "rc");
  renderTemplate(preview, template, fields.params());
  // Enter in a field sends, as the Send button does (the dialog's first button is Cancel).
  fields.element.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    event.target.form.requestSubmit(event.target.form.querySelector("[data-testid=dialog-confirm]"));
  });
  return dialog({
    title: "Send the recontact template",
    confirm: "Send",
    testid: "recontact-dialog",
    body: [
      el("p", { class: "muted", text: `“${template.name}” goes out from System; when the customer replies, the conversation continues.` }),
      fields.first && fields.element,
      preview,
    ],
    collect: (error) => {
      const missing = fields.missing();
      if (!missing.length) return fields.params();
      problem = error;
      error.textContent = `Fill in the template's parameters: ${missing.join(", ")}.`;
      return false;
    },
  });
}
