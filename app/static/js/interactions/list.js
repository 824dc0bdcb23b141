// The interactions list: a click on a row opens it; the "+" dialog starts an outbound interaction.
import { setUpNewInteraction } from "./new.js";

document.querySelector('[data-testid="interactions"]')?.addEventListener("click", (event) => {
  if (event.target.closest("a, button, details, form, input, select, label")) return;
  const row = event.target.closest("tr[data-href]");
  if (row) window.location.assign(row.dataset.href);
});

// A row menu opens over the page, never clipped by the table's scroll box: fixed in the
// viewport under its button, or above it when there is no room below.
function place(menu) {
  const panel = menu.querySelector(".menu-panel");
  const button = menu.querySelector("summary").getBoundingClientRect();
  const margin = 8;
  Object.assign(panel.style, { position: "fixed", maxHeight: `${window.innerHeight - 2 * margin}px`, overflowY: "auto" });
  const { offsetHeight: height, offsetWidth: width } = panel;
  const fitsBelow = button.bottom + height + margin <= window.innerHeight;
  const top = fitsBelow ? button.bottom + 4 : Math.max(margin, button.top - height - 4);
  panel.style.top = `${top}px`;
  panel.style.left = `${Math.max(margin, Math.min(button.right - width, window.innerWidth - width - margin))}px`;
}

// One row menu open at a time; it follows its button when the page scrolls or resizes.
document.addEventListener("toggle", (event) => {
  if (!event.target.matches?.(".row-menu") || !event.target.open) return;
  document.querySelectorAll(".row-menu[open]").forEach((menu) => { if (menu !== event.target) menu.open = false; });
  place(event.target);
}, true);
const replace = () => document.querySelectorAll(".row-menu[open]").forEach(place);
window.addEventListener("scroll", replace, { passive: true });
window.addEventListener("resize", replace);
replace(); // a menu opened before this script ran

const dialog = document.getElementById("new-interaction");
if (dialog) {
  setUpNewInteraction(dialog);
  document.querySelector('[data-open-dialog="new-interaction"]')?.addEventListener("click", () => dialog.showModal());
  dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
}
