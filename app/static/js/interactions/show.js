// The Show page: viewing marks the conversation read; "Take it" accepts it (or takes it over from the
// AI assistant) and opens it in the desktop.
import { api } from "./api.js";

const page = document.getElementById("conversation");
if (page) {
  const id = page.dataset.interactionId;
  if (page.dataset.markRead === "true") {
    api(`/api/v1/interactions/${id}/read`, { method: "POST", body: {} }).catch(() => {});
  }
  const take = document.querySelector("[data-take]");
  take?.addEventListener("click", async () => {
    take.disabled = true;
    try {
      await api(`/api/v1/interactions/${id}/${take.dataset.take || "accept"}`, { method: "POST", body: {} });
      window.location.assign(page.dataset.desktopUrl);
    } catch (error) {
      document.querySelector('[data-testid="take-error"]').textContent = error.message;
      take.disabled = false;
    }
  });
}
