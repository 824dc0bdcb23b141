// The interactions the AI assistant is answering (the "Bot" list): read one on its page, or take it
// over with one click, which stops the assistant and opens the conversation in a tab.
import { api } from "./api.js";
import { el } from "./dom.js";

const REFRESH_MS = 15000; // customers' messages to the bot arrive live; a take-over by someone else is polled

export class BotList {
  constructor(desktop, toggle, panel, count) {
    this.desktop = desktop;
    this.toggleButton = toggle;
    this.panel = panel;
    this.count = count;
    toggle.addEventListener("click", () => this.toggle());
    this.refresh();
    setInterval(() => this.refresh(), REFRESH_MS);
  }

  fetch() {
    return api.interactions({ status: "bot", sort: "-last_message", per_page: 100 });
  }

  async toggle(force) {
    const open = force ?? this.panel.hidden;
    const bar = this.toggleButton.parentElement;
    this.panel.style.top = `${bar.offsetTop + bar.offsetHeight}px`;
    this.panel.hidden = !open;
    this.toggleButton.setAttribute("aria-expanded", String(open));
    if (open) await this.render();
  }

  async render() {
    const rows = this.panel.querySelector("ul");
    const data = await this.fetch().catch((error) => ({ error }));
    if (data.error) return rows.replaceChildren(el("li", { class: "dk-error", text: data.error.message }));
    this.count.textContent = String(data.meta.total);
    const items = data.data.map((i) => this.row(i));
    return rows.replaceChildren(...(items.length ? items : [el("li", { class: "muted", text: "The bot is answering no one right now." })]));
  }

  row(i) {
    const error = el("p", { class: "dk-error", role: "alert", hidden: true });
    const take = el("button", { type: "button", class: "btn btn-primary dk-small", text: "Take over", "data-testid": "bot-takeover", onclick: () => this.takeOver(i.id, take, error) });
    return el("li", { class: "dk-bot-row", "data-testid": "bot-row", "data-id": i.id },
      el("div", {},
        el("strong", { text: i.contact?.name || i.contact?.phone }), " ",
        el("span", { class: "status status-bot", "data-testid": "bot-caption", text: "Bot" })),
      el("span", { class: "muted", text: `${i.account_name} · ${i.last_message?.direction === "in" ? "←" : "→"} ${i.last_message?.preview || ""}` }),
      el("div", { class: "dk-bot-actions" },
        el("a", { class: "btn dk-small", href: `/interactions/${i.id}`, target: "_blank", rel: "noopener", text: "Read", "data-testid": "bot-read" }), take),
      error);
  }

  async takeOver(id, button, error) {
    button.disabled = true;
    try {
      const answer = await api.action(id, "takeover");
      this.toggle(false);
      this.desktop.openTab(id, { interaction: answer.interaction, focus: true });
      this.desktop.refreshCount();
      this.refresh();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      button.disabled = false;
    }
  }

  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetch().then((d) => (this.count.textContent = String(d.meta.total))).catch(() => null), 300);
  }

  // Live events (admins get them all; the queue's online agents a customer's messages to the bot):
  // a bot interaction started, answered or handed over.
  handle(event) {
    if (!(event.interaction?.status === "bot" || ["offer", "assigned"].includes(event.event))) return;
    if (this.panel.hidden) this.refresh();
    else this.render();
  }
}
