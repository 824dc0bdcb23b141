// The right sidebar of a tab: contact details (editable), interaction details, this contact's
// past interactions, and the customer journey across accounts.

import { api } from "./api.js";
import { el, formatLeft, formatStamp } from "./dom.js";

const CONTACT_FIELDS = [
  ["first_name", "First name"],
  ["last_name", "Last name"],
  ["phone", "Phone"],
  ["mobile", "Mobile"],
  ["email", "Email"],
  ["company", "Company"],
];

function section(title, testid, ...content) {
  return el("details", { class: "dk-side-section", open: true, "data-testid": testid }, el("summary", { text: title }), ...content);
}

export class Sidebar {
  constructor(tab) {
    this.tab = tab;
    this.contactBox = el("div", { class: "dk-side-body" }, el("p", { class: "muted", text: "Loading…" }));
    this.detailsBox = el("dl", { class: "details dk-side-body" });
    this.historyBox = el("ul", { class: "dk-history dk-side-body" });
    this.journeyBox = el("ol", { class: "dk-journey dk-side-body" });
    this.element = el(
      "aside",
      { class: "dk-sidebar", "aria-label": "Contact and interaction", "data-testid": "sidebar" },
      section("Contact", "contact-section", this.contactBox),
      section("Interaction", "interaction-section", this.detailsBox),
      section("Interaction history", "history-section", this.historyBox),
      section("Customer journey", "journey-section", this.journeyBox),
    );
  }

  async loadContact() {
    const id = this.tab.interaction.contact_id;
    if (!id) return this.contactBox.replaceChildren(el("p", { class: "muted", text: "No contact record." }));
    try {
      this.tab.contact = await api.contact(id);
      this.renderContact();
    } catch (error) {
      this.contactBox.replaceChildren(el("p", { class: "dk-error", text: error.message }));
    }
  }

  renderContact() {
    const contact = this.tab.contact;
    const inputs = {};
    const errors = {};
    const status = el("p", { class: "dk-form-status", role: "status", "data-testid": "contact-status" });
    const form = el(
      "form",
      { class: "dk-contact-form", "data-testid": "contact-form", novalidate: true },
      ...CONTACT_FIELDS.map(([name, label]) => {
        const id = `c-${this.tab.id}-${name}`;
        inputs[name] = el("input", { id, name, value: contact[name] || "", type: name === "email" ? "email" : "text", autocomplete: "off" });
        errors[name] = el("span", { class: "field-error" });
        return el("div", { class: "dk-field" }, el("label", { for: id, text: label }), inputs[name], errors[name]);
      }),
      el("p", { class: "help dk-small-print", text: "Single messages go to the mobile number: when only one of phone and mobile is filled, the other gets the same number." }),
      el("button", { type: "submit", class: "btn btn-primary dk-small", text: "Save contact", "data-testid": "contact-save" }),
      status,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const changes = Object.fromEntries(CONTACT_FIELDS.map(([name]) => [name, inputs[name].value.trim()]));
      // The phone/mobile rule, shown as it will be saved.
      if (!changes.mobile && changes.phone) changes.mobile = inputs.mobile.value = changes.phone;
      if (!changes.phone && changes.mobile) changes.phone = inputs.phone.value = changes.mobile;
      Object.values(errors).forEach((e) => (e.textContent = ""));
      status.textContent = "Saving…";
      try {
        this.tab.contact = await api.updateContact(contact.id, changes);
        status.textContent = "Saved.";
        this.tab.contactChanged();
      } catch (error) {
        for (const [name, text] of Object.entries(error.fields || {})) if (errors[name]) errors[name].textContent = text;
        status.textContent = error.message;
      }
    });
    this.contactBox.replaceChildren(form);
  }

  renderDetails() {
    const i = this.tab.interaction;
    this.windowCell = el("dd", { "data-testid": "window-left" });
    const rows = [
      ["Status", i.status === "queued" ? "Waiting" : i.status],
      ["Account", i.account_name],
      ["Queue", i.queue_name],
      ["Started", formatStamp(i.created_at)],
      ["Agent", i.agent_name || "—"],
      ["Tags", (i.tags || []).join(", ") || "—"],
      ["Disposition", i.disposition || "—"],
      ...(i.acknowledged ? [["Customer", `${i.acknowledged.emoji} acknowledged the last reply`]] : []),
    ];
    // Admins see when the customer has waited for an answer past the queue's first-response target.
    const overdue = this.tab.boot.user.role === "admin" && i.status === "open" && i.sla_breached_at;
    this.detailsBox.replaceChildren(
      ...rows.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", { text: value || "—" })]),
      ...(overdue ? [el("dt", { text: "First response" }), el("dd", { class: "dk-overdue", "data-testid": "answer-overdue", text: `Overdue since ${formatStamp(i.sla_breached_at)}` })] : []),
      el("dt", { text: "Window" }),
      this.windowCell,
    );
    this.tick();
  }

  tick() {
    if (this.windowCell) {
      const left = this.tab.windowSecondsLeft();
      this.windowCell.textContent = left > 0 ? `${formatLeft(left)} left` : "Closed: only a template can reopen it";
    }
  }

  // Past interactions of the same number, on any account; of the same contact for a customer
  // WhatsApp names without a number: history rows and journey events.
  async loadHistory() {
    const phone = this.tab.interaction.contact?.phone;
    const contactId = this.tab.interaction.contact_id;
    if (!phone && !contactId) return;
    let rows;
    try {
      rows = phone
        ? (await api.interactions({ q: phone, per_page: 50, sort: "-start" })).data.filter((r) => r.contact?.phone === phone)
        : (await api.interactions({ contact_id: contactId, per_page: 50, sort: "-start" })).data;
    } catch (error) {
      this.historyBox.replaceChildren(el("li", { class: "dk-error", text: error.message }));
      return;
    }
    const past = rows.filter((r) => r.id !== this.tab.id);
    this.historyBox.replaceChildren(
      ...past.map((r) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "dk-history-row", "data-testid": "history-row", onclick: () => this.tab.desktop.openTab(r.id, { focus: true }) },
            el("strong", { text: formatStamp(r.created_at) }),
            el("span", { class: "muted", text: `${r.account_name} · ${r.status}${r.disposition ? ` · ${r.disposition}` : ""}` }),
            el("span", { class: "dk-history-preview", text: r.last_message?.preview || "" }),
          ),
        ),
      ),
    );
    if (!past.length) this.historyBox.append(el("li", { class: "muted", text: "No earlier interactions." }));
    this.renderJourney(rows);
  }

  renderJourney(rows) {
    const events = [];
    for (const r of rows) {
      const where = r.account_name;
      events.push({ at: r.created_at, text: `${r.direction === "outbound" ? "Contacted" : "Wrote"} on ${where}` });
      // accepted_by: agent_name is whoever holds it now, after any transfer.
      if (r.accepted_at) events.push({ at: r.accepted_at, text: `Accepted by ${r.accepted_by?.name || r.agent_name || "an agent"} on ${where}` });
      for (const t of r.transfers || []) {
        events.push({ at: t.at, text: `Transferred by ${t.name} to ${t.to_queue ? `queue ${t.to_queue}` : t.to_agent} on ${where}` });
      }
      for (const reopen of r.reopens || []) events.push({ at: reopen.at, text: `Reopened${reopen.name ? ` by ${reopen.name}` : ""} on ${where}` });
      if (r.closed_at) events.push({ at: r.closed_at, text: `Closed on ${where}${r.disposition ? ` · ${r.disposition}` : ""}` });
    }
    events.sort((a, b) => (a.at < b.at ? 1 : -1));
    this.journeyBox.replaceChildren(
      ...events.map((e) => el("li", { "data-testid": "journey-event" }, el("time", { datetime: e.at, text: formatStamp(e.at) }), el("span", { text: e.text }))),
    );
  }
}
