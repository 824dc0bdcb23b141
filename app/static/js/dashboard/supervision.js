// The supervisors' live panels: each agent's presence, time in state and load against capacity; each
// queue's waiting customers, longest wait, agents by presence, open interactions and service level.
// Drawn here from /dashboard/supervision (first from the data in the page); an agent_state event
// redraws its agent at once, interaction events and agent_state refetch the data once a burst settles,
// and a timer refetches every 15 s in case an event was missed. Durations tick every second.
// Rows are updated in place, keyed by id, so an open picker or a focused button survives a refresh.
import { api } from "../desktop/api.js";
import { cell, duration, presenceLabel, sync } from "./panel_dom.js";
import { drawQueue, makeQueue } from "./supervision_queues.js";

const REFRESH_MS = 15_000;
const DEBOUNCE_MS = 400;
const INTERACTION_EVENTS = ["offer", "assigned", "offer_withdrawn", "closed", "reopened", "transferred"];

function makeAgent() {
  const row = document.createElement("tr");
  row.dataset.testid = "sv-agent";
  cell(row, "sv-agent-name", "th").scope = "row";
  const presence = cell(row, "sv-presence");
  presence.append(Object.assign(document.createElement("span"), { className: "sv-dot" }), document.createElement("span"));
  cell(row, "sv-since");
  cell(row, "sv-load");
  cell(row, "sv-queues");
  return row;
}

function drawAgent(row, agent) {
  const [name, presence, since, load, queues] = row.children;
  row.dataset.agent = agent.name;
  row.dataset.state = agent.state;
  name.textContent = agent.name;
  presence.lastChild.textContent = presenceLabel(agent);
  presence.firstChild.className = `sv-dot sv-${agent.state}`;
  since.dataset.since = agent.since || "";
  load.textContent = agent.limit === null ? String(agent.open) : `${agent.open} / ${agent.limit}`;
  load.classList.toggle("sv-full", agent.limit !== null && agent.open >= agent.limit);
  queues.textContent = agent.queues.join(", ") || "—";
}

export function startSupervision(socket) {
  const root = document.getElementById("supervision");
  if (!root) return;
  const view = {
    data: null,
    offset: 0, // server time minus this browser's, so durations agree with the server's clock
    expanded: new Set(),
    notice: (text, kind = "ok") => {
      const line = root.querySelector("[data-testid=sv-notice]");
      line.textContent = text;
      line.dataset.kind = kind;
    },
    assign: (interactionId, agentId) => api.action(interactionId, "assign", { agent_id: agentId }),
    refresh: () => schedule(),
  };
  const agentsBody = root.querySelector("[data-testid=sv-agents] tbody");
  const queuesTable = root.querySelector("[data-testid=sv-queues]");

  function draw() {
    const { agents, queues } = view.data;
    sync(agentsBody, agents, (a) => a.id, makeAgent, drawAgent);
    const byId = new Map(agents.map((a) => [a.id, a]));
    sync(queuesTable, queues, (q) => q.id, (q) => makeQueue(q, view), (body, q) => drawQueue(body, q, byId, view));
    tick();
  }

  function tick() {
    const now = Date.now() + view.offset;
    root.querySelectorAll("[data-since]").forEach((el) => {
      el.textContent = el.dataset.since ? duration((now - Date.parse(el.dataset.since)) / 1000) : "—";
    });
  }

  function take(data) {
    view.data = data;
    view.offset = Date.parse(data.generated_at) - Date.now();
    draw();
  }

  let timer = null;
  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const response = await fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) take(await response.json());
    } catch {
      // offline for a moment: the next event or the timer tries again
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  socket.on("agent_state", (event) => {
    const agent = view.data?.agents.find((a) => a.id === event.agent_id);
    if (agent) {
      Object.assign(agent, { state: event.state, reason: event.reason || null, since: event.since || null });
      draw();
    }
    schedule();
  });
  INTERACTION_EVENTS.forEach((name) => socket.on(name, schedule));
  socket.on("connect", schedule);
  setInterval(refresh, REFRESH_MS);
  setInterval(tick, 1000);
  take(JSON.parse(document.getElementById("supervision-data").textContent));
}
