// The Queues panel's rows: one <tbody> per queue, its figures, and when opened the customers waiting
// in it, each with the form that moves them to one of the queue's agents (presence and load shown).
import { cell, duration, presenceLabel, sync } from "./panel_dom.js";

const COLUMNS = 6;
const STATE_ORDER = { online: 0, paused: 1, offline: 2 };

export function makeQueue(queue, view) {
  const body = document.createElement("tbody");
  body.dataset.testid = "sv-queue";
  const row = body.insertRow();
  const head = cell(row, "sv-queue-name", "th");
  head.scope = "row";
  const toggle = Object.assign(document.createElement("button"), { type: "button", className: "sv-toggle" });
  toggle.dataset.testid = "sv-queue-toggle";
  toggle.setAttribute("aria-expanded", "false");
  head.append(toggle);
  ["sv-waiting", "sv-longest", "sv-presence-counts", "sv-open", "sv-service-level"].forEach((testid) => cell(row, testid));
  const detail = body.insertRow();
  detail.className = "sv-detail";
  detail.hidden = true;
  const inside = detail.insertCell();
  inside.colSpan = COLUMNS;
  const list = Object.assign(document.createElement("ul"), { className: "sv-waiting-list" });
  list.dataset.testid = "sv-waiting-list";
  const empty = Object.assign(document.createElement("p"), { className: "muted small" });
  inside.append(list, empty);
  toggle.addEventListener("click", () => {
    const open = !view.expanded.has(queue.id);
    if (open) view.expanded.add(queue.id);
    else view.expanded.delete(queue.id);
    toggle.setAttribute("aria-expanded", String(open));
    detail.hidden = !open;
  });
  return body;
}

export function drawQueue(body, queue, agentsById, view) {
  const [row, detail] = body.rows;
  const [head, waiting, longest, counts, open, level] = row.cells;
  body.dataset.queue = queue.name;
  head.firstChild.textContent = queue.name;
  waiting.textContent = String(queue.waiting);
  longest.dataset.since = queue.oldest_since || "";
  const members = queue.members.map((m) => ({ ...agentsById.get(m.id), limit: m.limit })).filter((m) => m.id);
  const by = (state) => members.filter((m) => m.state === state).length;
  counts.textContent = `${by("online")} · ${by("paused")} · ${by("offline")}`;
  counts.title = `${by("online")} online, ${by("paused")} paused, ${by("offline")} offline`;
  open.textContent = String(queue.open);
  drawServiceLevel(level, queue.service_level);
  detail.hidden = !view.expanded.has(queue.id);
  const [list, empty] = detail.cells[0].children;
  const pickable = members.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.name.localeCompare(b.name));
  sync(list, queue.waiting_list, (w) => w.id, (w) => makeWaiting(w, view), (li, w) => drawWaiting(li, w, pickable));
  const hidden = queue.waiting - queue.waiting_list.length;
  empty.textContent = !queue.waiting ? "Nobody is waiting." : hidden > 0 ? `And ${hidden} more, waiting less long.` : "";
}

function drawServiceLevel(td, level) {
  const target = `target ${duration(level.target_seconds)}${level.default_target ? " (default)" : ""}`;
  const counted = level.answered + level.abandoned + level.waiting_beyond;
  td.textContent = level.rate === null ? "—" : `${Math.round(level.rate * 100)} %`;
  const detail = Object.assign(document.createElement("span"), { className: "muted small sv-level-detail" });
  detail.textContent = level.rate === null ? ` ${target}` : ` ${level.within} of ${counted} · ${target}`;
  td.append(detail);
  td.title = `${level.within} answered within target, ${level.answered - level.within} answered later, ${level.abandoned} left unanswered, ${level.waiting_beyond} still waiting past the target`;
}

function makeWaiting(waiting, view) {
  const li = document.createElement("li");
  li.dataset.testid = "sv-waiting-item";
  li.dataset.interaction = waiting.id;
  const who = Object.assign(document.createElement("div"), { className: "sv-who" });
  who.append(document.createElement("strong"), " ", Object.assign(document.createElement("span"), { className: "muted" }), " · waiting ");
  const since = document.createElement("span");
  since.dataset.testid = "sv-waiting-since";
  who.append(since);
  const preview = Object.assign(document.createElement("div"), { className: "muted sv-preview" });
  const form = Object.assign(document.createElement("form"), { className: "sv-assign", noValidate: true });
  const label = Object.assign(document.createElement("label"), { textContent: "Assign to " });
  const select = Object.assign(document.createElement("select"), { name: "agent_id" });
  select.dataset.testid = "sv-agent-pick";
  label.append(select);
  const button = Object.assign(document.createElement("button"), { type: "submit", className: "btn btn-primary dk-small", textContent: "Assign" });
  button.dataset.testid = "sv-assign";
  const error = Object.assign(document.createElement("p"), { className: "field-error", hidden: true });
  error.dataset.testid = "sv-assign-error";
  error.setAttribute("role", "alert");
  error.id = `sv-error-${waiting.id}`;
  select.setAttribute("aria-describedby", error.id);
  form.append(label, " ", button, error);
  li.append(who, preview, form);
  select.addEventListener("change", () => {
    error.hidden = true;
    select.removeAttribute("aria-invalid");
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(li, view);
  });
  return li;
}

function drawWaiting(li, waiting, agents) {
  const [who, preview, form] = li.children;
  const [name, , phone, , since] = who.childNodes;
  name.textContent = waiting.contact.name || waiting.contact.phone || "Unknown customer";
  phone.textContent = waiting.contact.name ? waiting.contact.phone || "" : "";
  since.dataset.since = waiting.since;
  preview.textContent = waiting.preview || "";
  li.dataset.customer = name.textContent;
  const select = form.elements.agent_id;
  const options = [["", "Choose an agent…"], ...agents.map((a) => [a.id, agentOption(a)])];
  const signature = JSON.stringify(options);
  if (select.dataset.signature === signature) return; // untouched: an open picker stays open
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
  select.value = options.some(([value]) => value === chosen) ? chosen : "";
  select.dataset.signature = signature;
}

function agentOption(agent) {
  const load = agent.limit === null || agent.limit === undefined ? `${agent.open} open` : `${agent.open} / ${agent.limit} open`;
  return `${agent.name} · ${presenceLabel(agent)} · ${load}`;
}

async function submit(li, view) {
  const form = li.querySelector("form");
  const select = form.elements.agent_id;
  const error = form.querySelector("[data-testid=sv-assign-error]");
  const say = (text) => {
    error.textContent = text;
    error.hidden = !text;
    select.setAttribute("aria-invalid", String(Boolean(text)));
  };
  if (!select.value) return say("Choose an agent.");
  say("");
  const agentName = select.selectedOptions[0].text.split(" · ")[0];
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await view.assign(li.dataset.interaction, select.value);
    view.notice(`${li.dataset.customer} assigned to ${agentName}.`);
  } catch (exc) {
    say(exc.fields?.agent_id || exc.message);
    if (exc.status === 409) view.notice(`${li.dataset.customer}: ${exc.message}`, "error"); // the row is about to go
  } finally {
    button.disabled = false;
    view.refresh();
  }
}
