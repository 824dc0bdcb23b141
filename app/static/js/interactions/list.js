// The interactions list: a click on a row opens it; the "+" dialog starts an outbound interaction.
import { setUpNewInteraction } from "./new.js";

document.querySelector('[data-testid="interactions"]')?.addEventListener("click", (event) => {
  if (event.target.closest("a, button, details, form, input, select, label")) return;
  const row = event.target.closest("tr[data-href]");
  if (row) window.location.assign(row.dataset.href);
});

// One row menu open at a time.
document.addEventListener("toggle", (event) => {
  if (!event.target.matches?.(".row-menu") || !event.target.open) return;
  document.querySelectorAll(".row-menu[open]").forEach((menu) => { if (menu !== event.target) menu.open = false; });
}, true);

const dialog = document.getElementById("new-interaction");
if (dialog) {
  setUpNewInteraction(dialog);
  document.querySelector('[data-open-dialog="new-interaction"]')?.addEventListener("click", () => dialog.showModal());
  dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
}
