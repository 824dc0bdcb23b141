// Canned answers: searched by title or text, placeholders filled from the contact and the agent.

import { api } from "./api.js";
import { el } from "./dom.js";

let answers = null;

async function loadAnswers() {
  if (!answers) answers = api.list("canned-answers").then((data) => data.data || []).catch((error) => {
    answers = null;
    throw error;
  });
  return answers;
}

// {contact.first_name} → the contact's first name; an unknown or empty value leaves nothing behind.
export function fillPlaceholders(text, values) {
  return text.replace(/\{([a-z_]+)\.([a-z_]+)\}/g, (_, scope, field) => {
    const value = values[scope]?.[field];
    return value === undefined || value === null ? "" : String(value);
  });
}

// The picker's panel; `values()` gives {contact, agent, account} at the moment of choosing;
// `onPick(text, answer)`: the answer's text filled in, and the answer (its buttons, if any).
export function cannedPicker(values, onPick) {
  const search = el("input", { type: "search", placeholder: "Search canned answers", "aria-label": "Search canned answers", class: "dk-canned-search" });
  const list = el("ul", { class: "dk-canned-list", "data-testid": "canned-list" });
  const render = (all) => {
    const words = search.value.trim().toLowerCase();
    const shown = all.filter((a) => !words || a.title.toLowerCase().includes(words) || a.text.toLowerCase().includes(words));
    list.replaceChildren(
      ...shown.map((answer) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "dk-canned", "data-testid": "canned-answer", onclick: () => onPick(fillPlaceholders(answer.text, values()), answer) },
            el("strong", { text: answer.title }),
            answer.buttons?.length > 0 && el("span", { class: "dk-pill", text: `${answer.buttons.length} button${answer.buttons.length > 1 ? "s" : ""}` }),
            el("span", { class: "muted", text: answer.text }),
          ),
        ),
      ),
    );
    if (!shown.length) list.append(el("li", { class: "muted", text: all.length ? "No canned answer matches." : "No canned answers for your queues." }));
  };
  list.append(el("li", { class: "muted", text: "Loading…" }));
  loadAnswers().then((all) => {
    render(all);
    search.addEventListener("input", () => render(all));
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        list.querySelector("button")?.click();
      }
    });
  }, (error) => list.replaceChildren(el("li", { class: "dk-error", text: error.message })));
  return el("div", { class: "dk-canned-picker", "data-testid": "canned-picker" }, search, list);
}
