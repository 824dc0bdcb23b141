// The desktop: tabs of accepted interactions, the open-interactions list, offers, the page
// title, and the routing of live events to whoever they concern.

import { api } from "./api.js";
import { BotList } from "./bots.js";
import { el } from "./dom.js";
import { Offers } from "./offers.js";
import { Tab } from "./tab.js";

const MAX_TABS = 30;
const BASE_TITLE = document.title;

export class Desktop {
  constructor(boot, socket, root) {
    this.boot = boot;
    this.socket = socket;
    this.root = root;
    this.tabs = new Map();
    this.current = null;
    this.tabBar = root.querySelector("[data-testid=tabs]");
    this.workspace = root.querySelector("[data-testid=workspace]");
    this.empty = root.querySelector("[data-testid=desktop-empty]");
    this.listPanel = root.querySelector("[data-testid=open-list]");
    this.listToggle = root.querySelector("[data-testid=open-list-toggle]");
    this.openCount = root.querySelector("[data-testid=open-count]");
    this.offers = new Offers(this, root.querySelector("[data-testid=offers]"));
    this.bots = new BotList(this, root.querySelector("[data-testid=bot-list-toggle]"), root.querySelector("[data-testid=bot-list]"), root.querySelector("[data-testid=bot-count]"));
    this.storeKey = `parley.tabs.${boot.user.id}`;
    this.listToggle.addEventListener("click", () => this.toggleList());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.listPanel.hidden) this.closeList();
    });
    document.addEventListener("mousedown", (event) => {
      if (!this.listPanel.hidden && !this.listPanel.contains(event.target) && !this.listToggle.contains(event.target)) this.toggleList(false);
    });
    this.tabBar.addEventListener("keydown", (event) => this.tabKeys(event));
    this.moreTabs = [...root.querySelectorAll(".dk-more-tabs")];
    for (const button of this.moreTabs) button.addEventListener("click", () => this.revealHidden(button.dataset.side));
    this.tabBar.addEventListener("scroll", () => this.updateOverflow(), { passive: true });
    // A tab's label arrives with its page, after the tab was shown: when a tab changes size, an active
    // tab that was in sight stays so (one the agent scrolled away from stays away); otherwise, and
    // when only the strip changes (its hints come and go), the counts are redone.
    this.resized = new ResizeObserver((entries) => {
      const tabsMoved = entries.some((entry) => entry.target !== this.tabBar);
      if (this.current && tabsMoved && this.activeInSight) this.reveal(this.current);
      else this.updateOverflow();
    });
    this.resized.observe(this.tabBar);
    setInterval(() => this.tick(), 1000);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.current) this.current.seen();
    });
  }

  // --- tabs -----------------------------------------------------------------------------
  openTab(id, { interaction = null, focus = false } = {}) {
    let tab = this.tabs.get(id);
    if (!tab) {
      if (this.tabs.size >= MAX_TABS) this.closeTab([...this.tabs.values()].find((t) => t !== this.current && t.interaction.status === "closed") || [...this.tabs.values()][0]);
      tab = new Tab(this, id, interaction ? { ...interaction, id } : null);
      this.tabs.set(id, tab);
      this.tabBar.append(tab.tabElement);
      this.resized.observe(tab.tabElement); // its label arrives with its page: the counts move
      this.workspace.append(tab.pane);
      tab.load().catch((error) => tab.composer.notice(`Could not load this conversation: ${error.message}`, "error"));
      this.save();
    }
    if (focus || !this.current) this.show(tab);
    this.refreshCount();
    return tab;
  }

  show(tab) {
    if (this.current && this.current !== tab) this.current.active = false;
    this.current = tab;
    tab.active = true;
    this.empty.hidden = true;
    this.reveal(tab);
    this.save();
    tab.composer.text.focus({ preventScroll: true });
  }

  closeTab(tab) {
    if (!tab) return;
    this.resized.unobserve(tab.tabElement);
    tab.destroy();
    this.tabs.delete(tab.id);
    if (this.current === tab) {
      this.current = null;
      const next = [...this.tabs.values()].pop();
      if (next) this.show(next);
    }
    this.empty.hidden = this.tabs.size > 0;
    this.save();
    this.updateTitle();
    this.refreshCount();
  }

  // --- the tab strip: the active tab always in sight, and how many tabs are scrolled away ---
  reveal(tab) {
    const strip = this.tabBar.getBoundingClientRect();
    const box = tab.tabElement.getBoundingClientRect();
    if (box.left < strip.left) this.tabBar.scrollLeft -= strip.left - box.left + 24;
    else if (box.right > strip.right) this.tabBar.scrollLeft += box.right - strip.right + 24;
    this.updateOverflow();
  }

  // Tabs not wholly in sight on each side (a partly cut tab counts as hidden).
  hiddenTabs() {
    const strip = this.tabBar.getBoundingClientRect();
    const hidden = { left: [], right: [] };
    for (const tab of this.tabs.values()) {
      const box = tab.tabElement.getBoundingClientRect();
      if (box.left < strip.left - 1) hidden.left.push(tab);
      else if (box.right > strip.right + 1) hidden.right.push(tab);
    }
    return hidden;
  }

  updateOverflow() {
    const hidden = this.hiddenTabs();
    this.activeInSight = !!this.current && !hidden.left.includes(this.current) && !hidden.right.includes(this.current);
    for (const button of this.moreTabs) {
      const tabs = hidden[button.dataset.side];
      const unread = tabs.reduce((n, t) => n + t.unread, 0);
      const label = `${tabs.length} more tab${tabs.length === 1 ? "" : "s"} to the ${button.dataset.side}${unread ? `, ${unread} unread` : ""}`;
      button.hidden = tabs.length === 0;
      button.textContent = button.dataset.side === "left" ? `‹ ${tabs.length}` : `${tabs.length} ›`;
      button.classList.toggle("dk-more-unread", unread > 0);
      button.setAttribute("aria-label", label);
      button.title = label;
    }
  }

  // The arrow beside the strip scrolls to the nearest hidden tab on its side.
  revealHidden(side) {
    const tabs = this.hiddenTabs()[side];
    const nearest = side === "left" ? tabs[tabs.length - 1] : tabs[0];
    if (nearest) this.reveal(nearest);
  }

  // Left/right arrows move between tabs, as in any tab list.
  tabKeys(event) {
    if (!["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    event.preventDefault(); // the strip would scroll too, and push the tab just shown out of sight
    const tabs = [...this.tabs.values()];
    const at = tabs.indexOf(this.current);
    const next = tabs[(at + (event.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length];
    if (next) {
      this.show(next);
      next.button.focus();
    }
  }

  save() {
    const state = { ids: [...this.tabs.keys()], current: this.current?.id || null };
    localStorage.setItem(this.storeKey, JSON.stringify(state));
  }

  // Tabs the agent had open before a reload come back, in the background except the last shown.
  restore() {
    let state = null;
    try {
      state = JSON.parse(localStorage.getItem(this.storeKey) || "null");
    } catch {
      state = null;
    }
    for (const id of state?.ids || []) this.openTab(id, { focus: id === state.current });
  }

  tabChanged(tab, event) {
    // Someone else now holds it (transfer to a colleague or a queue): keep it readable, stop here.
    if (event.event === "transferred" && event.interaction?.agent_id !== this.boot.user.id) this.refreshCount();
    if (["assigned", "closed", "reopened", "offer"].includes(event.event)) this.refreshCount(); // offer: back to the queue
    this.updateTitle();
  }

  // --- the open-interactions list ---------------------------------------------------------
  async toggleList(force) {
    const open = force ?? this.listPanel.hidden;
    const bar = this.listToggle.parentElement;
    this.listPanel.style.top = `${bar.offsetTop + bar.offsetHeight}px`; // below the strip, wherever offers put it
    this.listPanel.hidden = !open;
    this.listToggle.setAttribute("aria-expanded", String(open));
    if (open) await this.renderList();
  }

  // Escape: the list goes and the keyboard is back where it was opened from.
  closeList() {
    this.toggleList(false);
    this.listToggle.focus();
  }

  async fetchOpen() {
    const params = { status: "open", sort: "-last_message", per_page: 100 };
    if (this.boot.user.role !== "admin") params.agent_id = this.boot.user.id;
    return api.interactions(params);
  }

  async renderList() {
    const rows = this.listPanel.querySelector("ul");
    let data;
    try {
      data = await this.fetchOpen();
    } catch (error) {
      rows.replaceChildren(el("li", { class: "dk-error", text: error.message }));
      return;
    }
    this.openCount.textContent = String(data.meta.total);
    rows.replaceChildren(
      ...data.data.map((i) =>
        el("li", {}, el("button", { type: "button", class: "dk-open-row", "data-testid": "open-row", "data-id": i.id, onclick: () => { this.toggleList(false); this.openTab(i.id, { interaction: i, focus: true }); } },
          el("strong", { text: i.contact?.name || i.contact?.phone }),
          i.unread > 0 && el("span", { class: "dk-badge", text: String(i.unread) }),
          this.boot.user.role === "admin" && i.sla_breached_at && el("span", { class: "dk-overdue", "data-testid": "answer-overdue", text: "Answer overdue" }),
          el("span", { class: "muted", text: `${i.account_name} · ${i.last_message?.direction === "in" ? "←" : "→"} ${i.last_message?.preview || ""}` }))),
      ),
    );
    if (!data.data.length) rows.append(el("li", { class: "muted", text: "No open interactions." }));
  }

  refreshCount() {
    clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => this.fetchOpen().then((d) => (this.openCount.textContent = String(d.meta.total))).catch(() => null), 300);
  }

  // --- live ------------------------------------------------------------------------------
  route(name, data) {
    if (name === "offers") return this.offers.reset(data.interactions || []);
    if (name === "access_lost") return data.interaction_ids.forEach((id) => this.tabs.get(id)?.lose(data.reason));
    if (!data || !data.interaction_id) return;
    const event = { ...data, event: data.event || name };
    this.tabs.get(data.interaction_id)?.sequencer.push(event);
    this.offers.handle(event);
    this.bots.handle(event);
    // Accepted elsewhere (another browser of mine, or an admin gave it to me): open its tab.
    if (event.event === "assigned" && event.agent.id === this.boot.user.id && !this.tabs.has(event.interaction_id)) this.openTab(event.interaction_id);
    if (event.event === "transferred" && event.interaction?.agent_id === this.boot.user.id && !this.tabs.has(event.interaction_id)) this.openTab(event.interaction_id);
    // Started elsewhere (another browser of mine): its first event is already mine to answer.
    if (event.seq === 1 && event.interaction?.agent_id === this.boot.user.id && !this.tabs.has(event.interaction_id)) {
      this.openTab(event.interaction_id);
      this.refreshCount();
    }
  }

  // After a reconnect every tab rejoins its room and fetches what it missed.
  reconnected() {
    for (const tab of this.tabs.values()) tab.sequencer.rejoin();
    this.refreshCount();
  }

  tick() {
    this.current?.composer.tick();
    this.current?.sidebar.tick();
  }

  updateTitle() {
    const unread = [...this.tabs.values()].reduce((n, t) => n + t.unread, 0);
    const offers = this.offers.count;
    const parts = [];
    if (offers) parts.push(`${offers} new`);
    if (unread) parts.push(`${unread} unread`);
    document.title = parts.length ? `(${parts.join(", ")}) ${BASE_TITLE}` : BASE_TITLE;
    this.updateOverflow(); // the arrows count unread messages of hidden tabs
  }
}
