// "typing…" for the customer while the agent types a reply: asked for at most once per INTERVAL_MS per
// tab, only where the account's provider can show it. The server decides the rest (the account's
// read-receipt policy, the window) and keeps one per conversation every 20 seconds whatever the tabs do.

import { api } from "./api.js";

const INTERVAL_MS = 20000;

export class TypingSignal {
  constructor(tab) {
    this.tab = tab;
    this.last = 0;
  }

  applies() {
    const { tab } = this;
    const i = tab.interaction;
    return tab.account.capabilities.includes("typing_indicator") && i.agent_id === tab.boot.user.id && i.status === "open" && !i.window_expired;
  }

  // The agent typed in the reply box (not a note).
  typed() {
    const now = Date.now();
    if (now - this.last < INTERVAL_MS || !this.applies()) return;
    this.last = now;
    api.typing(this.tab.id).catch(() => {}); // a missed "typing…" costs the customer nothing: no notice
  }
}
