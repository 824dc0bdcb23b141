// The agent's own status in the top bar: Online, Paused (with a reason) or Offline. Only an Online
// agent is offered conversations. Another page of the same agent changing it is heard live.

import { api } from "./api.js";
import { el, formatTime } from "./dom.js";

const PAUSED = "paused:";

export class PresenceControl {
  constructor(root, userId) {
    this.root = root;
    this.userId = userId;
    this.select = root.querySelector("select");
    this.since = root.querySelector("[data-testid=presence-since]");
    this.select.addEventListener("change", () => this.choose(this.select.value));
  }

  async load() {
    try {
      this.show(await api.presence());
    } catch {
      // Shown again at the next change or reconnect.
    }
  }

  show(state) {
    if (state.reasons) this.options(state.reasons);
    this.state = state;
    this.root.dataset.state = state.state;
    this.select.value = state.state === "paused" ? PAUSED + (state.reason || "") : state.state;
    this.select.disabled = false;
    this.select.title = state.label || "";
    this.since.textContent = state.since ? `since ${formatTime(state.since)}` : "";
    this.since.removeAttribute("role");
  }

  options(reasons) {
    const paused = el("optgroup", { label: "Paused" }, ...reasons.map((reason) => el("option", { value: PAUSED + reason, text: `Paused · ${reason}` })));
    this.select.replaceChildren(el("option", { value: "online", text: "Online" }), paused, el("option", { value: "offline", text: "Offline" }));
  }

  async choose(value) {
    const [state, reason] = value.startsWith(PAUSED) ? ["paused", value.slice(PAUSED.length)] : [value, ""];
    this.select.disabled = true;
    try {
      this.show(await api.setPresence(state, reason));
    } catch (error) {
      if (this.state) this.show(this.state);
      this.select.disabled = false;
      this.since.textContent = error.message;
      this.since.setAttribute("role", "alert");
    }
  }

  // agent_state events: ours, from this page or another of our pages.
  handle(event) {
    if (event.agent_id === this.userId) this.show({ ...event, reasons: null });
  }
}
