// Offers: a new interaction of the agent's queues, with Accept and Reject. When a colleague
// wins it, the card says so for a moment and goes. A background tab hears a sound and shows
// the count in its title.

import { api } from "./api.js";
import { el, formatTime } from "./dom.js";

const GONE_AFTER_MS = 4000;
let audio = null;

// Browsers only let a page make sound after the user touched it: prepare the audio then.
function prepareSound() {
  if (!audio && window.AudioContext) audio = new AudioContext();
}
window.addEventListener("pointerdown", prepareSound, { once: true });
window.addEventListener("keydown", prepareSound, { once: true });

function chime() {
  if (!audio) return;
  const now = audio.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.25, now + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + i * 0.18);
    osc.stop(now + i * 0.18 + 0.17);
  }
}

export class Offers {
  constructor(desktop, container) {
    this.desktop = desktop;
    this.container = container;
    this.cards = new Map(); // interaction id → {element, interaction, seq}
    this.alerts = 0; // offers that arrived while the page was in the background
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) {
        this.alerts = 0;
        this.desktop.updateTitle();
      }
    });
  }

  get count() {
    return [...this.cards.values()].filter((c) => !c.settled).length;
  }

  // The waiting list sent at (re)connect: it replaces what we showed.
  reset(interactions) {
    const waiting = new Set(interactions.map((i) => i.id));
    for (const [id, card] of this.cards) if (!waiting.has(id) && !card.settled) this.remove(id);
    for (const interaction of interactions) this.show(interaction, null, interaction.seq, false);
  }

  show(interaction, message, seq, alert = true) {
    const existing = this.cards.get(interaction.id);
    if (existing && seq !== undefined && existing.seq >= seq) return;
    if (this.desktop.tabs.get(interaction.id)?.mine) return;
    const preview = message ? message.text || message.caption || interaction.last_message?.preview : interaction.last_message?.preview;
    const accept = el("button", { type: "button", class: "btn btn-primary", text: "Accept", "data-testid": "offer-accept", onclick: () => this.accept(interaction.id) });
    const card = el(
      "article",
      { class: "dk-offer", "data-testid": "offer", "data-id": interaction.id, "aria-label": `New conversation from ${interaction.contact?.name || interaction.contact?.phone}` },
      el("div", { class: "dk-offer-who" }, el("strong", { text: interaction.contact?.name || interaction.contact?.phone || "Customer" }), el("span", { class: "muted", text: interaction.contact?.phone || interaction.contact?.username || "" })),
      el("div", { class: "muted dk-offer-where", text: `${interaction.account_name || ""} · ${interaction.queue_name || ""}` }),
      el("p", { class: "dk-offer-text", "data-testid": "offer-text", text: preview || "" }),
      el("div", { class: "dk-offer-foot" }, el("span", { class: "muted", text: formatTime(interaction.last_message?.at || interaction.created_at) }),
        el("div", { class: "dk-offer-actions", "data-testid": "offer-actions" },
          el("button", { type: "button", class: "btn", text: "Reject", "data-testid": "offer-reject", onclick: () => this.reject(interaction.id) }), accept)),
    );
    const offer = interaction.offer;
    if (offer && String(offer.agent_id) === this.desktop.boot.user.id && offer.expires_at) {
      const timer = el("span", { class: "muted dk-offer-timer", "data-testid": "offer-timer", "data-expires": offer.expires_at });
      card.querySelector(".dk-offer-foot > .muted").after(timer);
      this.countDown(timer);
    }
    if (existing) existing.element.replaceWith(card);
    else this.container.prepend(card);
    this.cards.set(interaction.id, { element: card, interaction, seq: seq ?? 0 });
    if (alert && !existing) this.alert();
    this.desktop.updateTitle();
  }

  // An offer made to this agent alone: how long before it goes to the next agent.
  countDown(timer) {
    const update = () => {
      if (!timer.isConnected && timer.dataset.started) return clearInterval(interval);
      timer.dataset.started = "1";
      const left = Math.max(0, Math.round((new Date(timer.dataset.expires) - Date.now()) / 1000));
      timer.textContent = left ? `for you · ${left} s` : "moving on…";
    };
    const interval = setInterval(update, 1000);
    update();
  }

  alert() {
    if (!document.hidden) return;
    this.alerts += 1;
    chime();
  }

  // A colleague took it: say who, then let the card go. The event and a refused accept may both
  // say so, in either order: the first one tells.
  settle(id, text) {
    const card = this.cards.get(id);
    if (!card || card.settled) return;
    card.settled = true;
    card.element.classList.add("dk-offer-settled");
    card.element.querySelector("[data-testid=offer-actions]").replaceWith(el("span", { class: "dk-offer-status", "data-testid": "offer-status", text }));
    setTimeout(() => this.remove(id), GONE_AFTER_MS);
    this.desktop.updateTitle();
  }

  remove(id) {
    this.cards.get(id)?.element.remove();
    this.cards.delete(id);
    this.desktop.updateTitle();
  }

  async accept(id) {
    try {
      const answer = await api.action(id, "accept");
      this.remove(id);
      this.desktop.openTab(id, { interaction: answer.interaction, focus: true });
    } catch (error) {
      if (error.status === 409) this.settle(id, error.message);
      else this.cards.get(id)?.element.querySelector(".dk-offer-text")?.after(el("p", { class: "dk-error", role: "alert", text: error.message }));
    }
  }

  async reject(id) {
    try {
      await api.action(id, "reject");
    } catch {
      // Gone meanwhile (taken or closed): nothing left to refuse.
    }
    this.remove(id);
  }

  // A transfer event that does not say where the interaction went: ask the server, and offer it
  // if it waits in a queue we may see, else let the card go.
  async recheck(id, seq) {
    try {
      const { interaction } = await api.interaction(id, undefined, 1);
      if (interaction.status === "queued") return this.show(interaction, null, seq);
    } catch {
      // Not visible to us any more: nothing to offer.
    }
    this.remove(id);
  }

  // Events about interactions we may have on offer.
  handle(event) {
    const id = event.interaction_id;
    const me = this.desktop.boot.user.id;
    const interaction = event.interaction ? { ...event.interaction, id } : null;
    switch (event.event) {
      case "offer":
        // One-at-a-time queues name who the offer is for: anyone else lets it go.
        if (event.offered_to && !event.offered_to.includes(me)) return this.remove(id);
        return this.show(interaction, event.message, event.seq);
      case "transferred":
        if (!interaction) return this.recheck(id, event.seq);
        if (interaction.status === "queued" && (event.offered_to || [me]).includes(me)) return this.show(interaction, null, event.seq);
        return this.remove(id);
      case "message":
        if (this.cards.has(id) && !this.cards.get(id).settled && event.message?.direction === "in") this.show(interaction, event.message, event.seq, false);
        return;
      case "assigned":
        if (event.agent.id === me) return this.remove(id);
        return this.settle(id, `Assigned to ${event.agent.name}`);
      case "offer_withdrawn":
        if (event.agent_id === me) this.remove(id);
        return;
      case "closed":
        return this.settle(id, "Closed");
      default:
        return;
    }
  }
}
