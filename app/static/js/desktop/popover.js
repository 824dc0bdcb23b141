// Pop-ups anchored to a button (menus, pickers) and modal dialogs, usable from the keyboard.

import { el } from "./dom.js";

let current = null;

export function closePopover() {
  if (!current) return;
  const { panel, anchor } = current;
  current = null;
  panel.remove();
  anchor.setAttribute("aria-expanded", "false");
  anchor.focus();
}

// Shows `panel` next to `anchor`; a second click on the anchor, Escape or a click elsewhere closes it.
export function openPopover(anchor, panel) {
  const again = current?.anchor === anchor;
  closePopover();
  if (again) return null;
  panel.classList.add("dk-popover");
  const rect = anchor.getBoundingClientRect();
  // Fixed position from JS (allowed by the CSP, unlike inline style attributes).
  const below = rect.bottom + 300 < window.innerHeight;
  panel.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - 330))}px`;
  if (below) panel.style.top = `${rect.bottom + 4}px`;
  else panel.style.bottom = `${window.innerHeight - rect.top + 4}px`;
  document.body.append(panel);
  anchor.setAttribute("aria-expanded", "true");
  current = { panel, anchor };
  (panel.querySelector("input, [role=menuitem], button") || panel).focus();
  return panel;
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && current) {
    event.preventDefault();
    closePopover();
  }
});
document.addEventListener("mousedown", (event) => {
  if (current && !current.panel.contains(event.target) && !current.anchor.contains(event.target)) closePopover();
});

// A menu of actions: [{label, testid, run}], arrow keys move between items.
export function openMenu(anchor, items) {
  const menu = el(
    "div",
    { role: "menu", class: "dk-menu", "data-testid": "menu" },
    items.map((item) =>
      el("button", {
        type: "button",
        role: "menuitem",
        class: "dk-menu-item",
        text: item.label,
        "data-testid": item.testid,
        onclick: () => {
          closePopover();
          item.run();
        },
      }),
    ),
  );
  menu.addEventListener("keydown", (event) => {
    const buttons = [...menu.querySelectorAll("[role=menuitem]")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") buttons[(at + 1) % buttons.length].focus();
    else if (event.key === "ArrowUp") buttons[(at - 1 + buttons.length) % buttons.length].focus();
    else return;
    event.preventDefault();
  });
  return openPopover(anchor, menu);
}

// A modal dialog; resolves with the value of `collect()` on confirm, or null on cancel.
export function dialog({ title, body = [], confirm = "Confirm", danger = false, testid, collect = () => true }) {
  return new Promise((resolve) => {
    const error = el("p", { class: "dk-error", role: "alert" });
    const box = el(
      "dialog",
      { class: "dk-dialog", "data-testid": testid, "aria-label": title },
      el(
        "form",
        { method: "dialog" },
        el("h2", { text: title }),
        ...body,
        error,
        el(
          "div",
          { class: "dk-dialog-actions" },
          el("button", { type: "submit", value: "cancel", class: "btn", text: "Cancel", "data-testid": "dialog-cancel" }),
          el("button", {
            type: "submit",
            value: "ok",
            class: danger ? "btn btn-danger" : "btn btn-primary",
            text: confirm,
            "data-testid": "dialog-confirm",
          }),
        ),
      ),
    );
    let result = null;
    box.addEventListener("submit", (event) => {
      if (event.submitter?.value !== "ok") return;
      const value = collect(error);
      if (value === false) return event.preventDefault(); // collect() explained the problem in `error`
      result = value;
    });
    box.addEventListener("close", () => {
      box.remove();
      resolve(result);
    });
    document.body.append(box);
    box.showModal();
  });
}
