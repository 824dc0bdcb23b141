// Interactive messages: the composer's dialog (reply buttons, a list, a link button) with WhatsApp's
// limits checked as the agent types and a live preview, and the bubble that shows one sent.
// The limits come from the server (app/domain/interactive.py LIMITS), which checks them again.

import { el, iconButton, linkified } from "./dom.js";
import { dialog } from "./popover.js";

const TYPES = { button: "Reply buttons", list: "List", cta_url: "Link button" };

// What the customer sees: header, body, footer, then the buttons, the list's button or the link.
export function interactivePart(content) {
  let actions = [];
  if (content.type === "button") actions = (content.buttons || []).map((b) => el("span", { class: "wa-button", text: b.title }));
  else if (content.type === "list") {
    const rows = (content.list?.sections || []).flatMap((s) => s.rows || []);
    actions = [
      el("span", { class: "wa-button", text: `☰ ${content.list?.button || ""}` }),
      el("ul", { class: "dk-ia-rows", "data-testid": "interactive-rows" }, rows.map((r) => el("li", {}, el("strong", { text: r.title }), r.description && el("span", { class: "muted", text: ` ${r.description}` })))),
    ];
  } else if (content.cta) {
    const safe = /^https:\/\//i.test(content.cta.url || "");
    actions = [safe
      ? el("a", { class: "wa-button", href: content.cta.url, target: "_blank", rel: "noopener noreferrer", text: `↗ ${content.cta.display_text}` })
      : el("span", { class: "wa-button", text: `↗ ${content.cta.display_text || ""}` })];
  }
  return el(
    "div",
    { class: "dk-template dk-interactive", "data-testid": "interactive" },
    content.header && el("div", { class: "wa-header", text: content.header }),
    el("div", { class: "wa-body" }, linkified(content.body || "")),
    content.footer && el("div", { class: "wa-footer", text: content.footer }),
    actions.length > 0 && el("div", { class: "wa-buttons", "data-testid": "interactive-actions" }, actions),
  );
}

// {field name as the server names it: sentence}, for what breaks WhatsApp's limits.
export function problems(content, limits) {
  const found = {};
  const check = (name, value, limit, required = false) => {
    const text = (value || "").trim();
    if (required && !text) found[name] = "Required.";
    else if (text.length > limit) found[name] = `At most ${limit} characters.`;
  };
  check("interactive.header", content.header, limits.header);
  check("interactive.body", content.body, limits.body, true);
  check("interactive.footer", content.footer, limits.footer);
  if (content.type === "button") {
    if (!content.buttons.length) found["interactive.buttons"] = "Add at least one button.";
    content.buttons.forEach((b, i) => {
      check(`interactive.buttons.${i}.title`, b.title, limits.button_title, true);
      check(`interactive.buttons.${i}.id`, b.id, limits.button_id);
    });
    if (new Set(content.buttons.map((b) => b.id)).size !== content.buttons.length) found["interactive.buttons"] = "Each button needs its own id.";
  } else if (content.type === "list") {
    const list = content.list;
    check("interactive.list.button", list.button, limits.list_button, true);
    const rows = list.sections.flatMap((s) => s.rows);
    list.sections.forEach((s, i) => {
      check(`interactive.list.sections.${i}.title`, s.title, limits.section_title, list.sections.length > 1);
      if (list.sections.length > 1 && !s.title.trim()) found[`interactive.list.sections.${i}.title`] = "Several sections need a title each.";
      if (!s.rows.length) found[`interactive.list.sections.${i}.rows`] = "Add at least one row.";
      s.rows.forEach((r, j) => {
        const at = `interactive.list.sections.${i}.rows.${j}`;
        check(`${at}.title`, r.title, limits.row_title, true);
        check(`${at}.id`, r.id, limits.row_id);
        check(`${at}.description`, r.description, limits.row_description);
      });
    });
    if (rows.length > limits.rows) found["interactive.list.sections"] = `At most ${limits.rows} rows in all sections together.`;
    else if (new Set(rows.map((r) => r.id)).size !== rows.length) found["interactive.list.sections"] = "Each row needs its own id.";
  } else {
    check("interactive.cta.display_text", content.cta.display_text, limits.cta_text, true);
    if (!/^https:\/\/\S+$/i.test(content.cta.url.trim())) found["interactive.cta.url"] = "Use an https:// link.";
  }
  return found;
}

// One text box with its live count and its error line, registered under its server-side name.
function makeField(form, name, label, limit, { multiline = false, value = "", testid } = {}) {
  const id = `ia-${name.replaceAll(".", "-")}`;
  const input = el(multiline ? "textarea" : "input", { id, class: "dk-ia-input", rows: multiline ? 3 : undefined, "data-testid": testid || id });
  input.value = value;
  const count = el("span", { class: "muted dk-ia-count", "data-testid": `${testid || id}-count` });
  const error = el("p", { class: "field-error", role: "alert", "data-testid": `${testid || id}-error` });
  const update = () => {
    count.textContent = `${input.value.trim().length}/${limit}`;
    form.touched.add(name);
    form.refresh();
  };
  input.addEventListener("input", update);
  form.errors[name] = error;
  count.textContent = `${value.length}/${limit}`;
  return { input, element: el("div", { class: "field dk-ia-field" }, el("label", { for: id, text: label }), input, count, error) };
}

// Resolves with the `interactive` body to send, or null when the agent cancels.
// `prefill`: {type, header, body, footer, buttons} (a canned answer with buttons).
export function askInteractive(limits, prefill = {}) {
  const form = { errors: {}, touched: new Set(), refresh: () => {} };
  const state = {
    type: prefill.type || "button",
    buttons: (prefill.buttons || [{ id: "", title: "" }]).map((b) => ({ ...b })),
    sections: [{ title: "", rows: [{ id: "", title: "", description: "" }] }],
  };
  const header = makeField(form, "interactive.header", "Header (optional)", limits.header, { value: prefill.header || "", testid: "ia-header" });
  const body = makeField(form, "interactive.body", "Body", limits.body, { multiline: true, value: prefill.body || "", testid: "ia-body" });
  const footer = makeField(form, "interactive.footer", "Footer (optional)", limits.footer, { value: prefill.footer || "", testid: "ia-footer" });
  const typeSelect = el("select", { id: "ia-type", "data-testid": "ia-type" }, Object.entries(TYPES).map(([v, t]) => el("option", { value: v, text: t })));
  typeSelect.value = state.type;
  const parts = el("div", { class: "dk-ia-parts" });
  const preview = el("div", { class: "template-preview-box dk-ia-preview", "data-testid": "ia-preview" });
  const listButton = makeField(form, "interactive.list.button", "List button text", limits.list_button, { testid: "ia-list-button" });
  const ctaText = makeField(form, "interactive.cta.display_text", "Button text", limits.cta_text, { testid: "ia-cta-text" });
  const ctaUrl = makeField(form, "interactive.cta.url", "Link (https://…)", limits.url, { testid: "ia-cta-url" });
  const groupErrors = {
    "interactive.buttons": el("p", { class: "field-error", role: "alert", "data-testid": "ia-buttons-error" }),
    "interactive.list.sections": el("p", { class: "field-error", role: "alert", "data-testid": "ia-rows-error" }),
  };
  Object.assign(form.errors, groupErrors);
  let inputs = { buttons: [], sections: [] };

  const content = () => {
    const base = { type: typeSelect.value, header: header.input.value.trim(), body: body.input.value.trim(), footer: footer.input.value.trim() };
    if (base.type === "button") {
      base.buttons = inputs.buttons.map(({ title, id }) => ({ title: title.value.trim(), id: id.value.trim() || title.value.trim() }));
    } else if (base.type === "list") {
      base.list = {
        button: listButton.input.value.trim(),
        sections: inputs.sections.map((s) => ({
          title: s.title.value.trim(),
          rows: s.rows.map((r) => ({ title: r.title.value.trim(), id: r.id.value.trim() || r.title.value.trim(), description: r.description.value.trim() })),
        })),
      };
    } else base.cta = { display_text: ctaText.input.value.trim(), url: ctaUrl.input.value.trim() };
    return base;
  };

  // A field's error shows once the agent typed in it, and every error once they tried to send.
  let tried = false;
  let headline = null; // the dialog's error line, once a send was refused there
  const visible = (name) => tried || form.touched.has(name) || (name in groupErrors && form.touched.size > 0);
  form.refresh = (force = false) => {
    tried = tried || force;
    const now = content();
    const found = problems(now, limits);
    for (const [name, line] of Object.entries(form.errors)) line.textContent = visible(name) ? found[name] || "" : "";
    if (headline && !Object.keys(found).length) headline.textContent = "";
    preview.replaceChildren(el("div", { class: "wa-chat" }, el("div", { class: "wa-bubble" }, interactivePart(now))));
    return found;
  };

  const save = () => { // keep what was typed across a redraw of the parts (of the kind shown)
    if (inputs.buttons.length) state.buttons = inputs.buttons.map((b) => ({ title: b.title.value, id: b.id.value }));
    if (inputs.sections.length) state.sections = inputs.sections.map((s) => ({ title: s.title.value, rows: s.rows.map((r) => ({ title: r.title.value, id: r.id.value, description: r.description.value })) }));
  };

  const draw = () => {
    for (const name of Object.keys(form.errors)) if (/\.\d+\./.test(name)) delete form.errors[name];
    inputs = { buttons: [], sections: [] };
    const type = typeSelect.value;
    if (type === "button") {
      const rows = state.buttons.map((b, i) => {
        const title = makeField(form, `interactive.buttons.${i}.title`, `Button ${i + 1}`, limits.button_title, { value: b.title, testid: `ia-button-${i}-title` });
        const id = makeField(form, `interactive.buttons.${i}.id`, "Id (else the title)", limits.button_id, { value: b.id, testid: `ia-button-${i}-id` });
        inputs.buttons.push({ title: title.input, id: id.input });
        return el("div", { class: "dk-ia-row" }, title.element, id.element,
          state.buttons.length > 1 && iconButton("trash", `Remove button ${i + 1}`, { onclick: () => { save(); state.buttons.splice(i, 1); draw(); } }));
      });
      const add = el("button", { type: "button", class: "btn dk-small", text: "Add a button", "data-testid": "ia-add-button", disabled: state.buttons.length >= limits.buttons,
        onclick: () => { save(); state.buttons.push({ id: "", title: "" }); draw(); } });
      parts.replaceChildren(...rows, groupErrors["interactive.buttons"], add);
    } else if (type === "list") {
      const total = state.sections.reduce((n, s) => n + s.rows.length, 0);
      const sections = state.sections.map((s, i) => {
        const title = makeField(form, `interactive.list.sections.${i}.title`, `Section ${i + 1} title`, limits.section_title, { value: s.title, testid: `ia-section-${i}-title` });
        const rowInputs = [];
        const rows = s.rows.map((r, j) => {
          const at = `interactive.list.sections.${i}.rows.${j}`;
          const t = makeField(form, `${at}.title`, `Row ${j + 1}`, limits.row_title, { value: r.title, testid: `ia-row-${i}-${j}-title` });
          const d = makeField(form, `${at}.description`, "Description (optional)", limits.row_description, { value: r.description, testid: `ia-row-${i}-${j}-description` });
          const id = makeField(form, `${at}.id`, "Id (else the title)", limits.row_id, { value: r.id, testid: `ia-row-${i}-${j}-id` });
          rowInputs.push({ title: t.input, description: d.input, id: id.input });
          return el("div", { class: "dk-ia-row" }, t.element, d.element, id.element,
            s.rows.length > 1 && iconButton("trash", `Remove row ${j + 1}`, { onclick: () => { save(); s.rows.splice(j, 1); draw(); } }));
        });
        inputs.sections.push({ title: title.input, rows: rowInputs });
        return el("fieldset", { class: "dk-ia-section" }, el("legend", { text: `Section ${i + 1}` }), title.element, ...rows,
          el("button", { type: "button", class: "btn dk-small", text: "Add a row", "data-testid": `ia-add-row-${i}`, disabled: total >= limits.rows,
            onclick: () => { save(); state.sections[i].rows.push({ id: "", title: "", description: "" }); draw(); } }));
      });
      const addSection = el("button", { type: "button", class: "btn dk-small", text: "Add a section", "data-testid": "ia-add-section", disabled: total >= limits.rows || state.sections.length >= limits.sections,
        onclick: () => { save(); state.sections.push({ title: "", rows: [{ id: "", title: "", description: "" }] }); draw(); } });
      parts.replaceChildren(listButton.element, ...sections, groupErrors["interactive.list.sections"], addSection);
    } else parts.replaceChildren(ctaText.element, ctaUrl.element);
    form.refresh();
  };
  typeSelect.addEventListener("change", () => { save(); draw(); });
  draw();

  return dialog({
    title: "Send an interactive message",
    confirm: "Send",
    testid: "interactive-dialog",
    body: [
      el("div", { class: "dk-ia" },
        el("div", { class: "dk-ia-compose" },
          el("div", { class: "field" }, el("label", { for: "ia-type", text: "Kind" }), typeSelect),
          header.element, body.element, footer.element, parts),
        preview),
    ],
    collect: (error) => {
      const found = form.refresh(true);
      if (!Object.keys(found).length) return content();
      headline = error;
      error.textContent = "Check the highlighted fields: WhatsApp refuses them as they are.";
      return false;
    },
  });
}
