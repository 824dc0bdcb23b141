// Campaign pages follow their campaigns live: admins receive each campaign's progress as the server
// publishes it (app/services/campaigns/campaign_progress.py), and every element of the campaign
// marked data-live, data-count or data-when is redrawn from it. Text goes in as text, never as HTML.
import { connect } from "../desktop/connection.js";

const boxes = (id) => document.querySelectorAll(`[data-campaign="${CSS.escape(id)}"]`);

function setText(box, name, text) {
  box.querySelectorAll(`[data-live="${name}"]`).forEach((element) => { element.textContent = text; });
}

function drawFailures(list, failures) {
  list.replaceChildren(...failures.map((failure) => {
    const item = document.createElement("li");
    const code = document.createElement(failure.code ? "a" : "span");
    code.textContent = failure.code || "—";
    if (failure.code) {
      const url = new URL(list.dataset.filterUrl, window.location.href);
      url.searchParams.set("reason", failure.code);
      code.href = url.pathname + url.search;
    }
    const sentence = document.createElement("span");
    sentence.textContent = failure.sentence;
    const count = document.createElement("strong");
    count.textContent = String(failure.count);
    item.append(code, " ", sentence, " ", count);
    return item;
  }));
}

function draw(box, progress) {
  box.querySelectorAll('[data-live="state"]').forEach((badge) => {
    badge.textContent = progress.state;
    badge.className = `status status-${progress.state}`;
  });
  box.querySelectorAll('[data-live="progress"]').forEach((bar) => {
    bar.max = progress.total || 1;
    bar.value = progress.done;
  });
  setText(box, "done", String(progress.done));
  setText(box, "total", String(progress.total));
  box.querySelectorAll("[data-count]").forEach((chip) => {
    chip.textContent = `${chip.dataset.count} ${progress.counts[chip.dataset.count] ?? 0}`;
  });
  box.querySelectorAll("[data-when]").forEach((form) => {
    form.hidden = !form.dataset.when.split(" ").includes(progress.state);
  });
  box.querySelectorAll('[data-live="paused_because"]').forEach((notice) => {
    notice.textContent = progress.paused_because || "";
    notice.hidden = !progress.paused_because;
  });
  box.querySelectorAll('[data-live="failures-box"]').forEach((section) => { section.hidden = !progress.failures.length; });
  box.querySelectorAll('[data-live="failures"]').forEach((list) => drawFailures(list, progress.failures));
}

// The recipients' table, as this page draws it now (with its filters): a second after an event,
// so at most once a second however many come.
const recipients = document.querySelector("[data-recipients]");
const TABLE_EVERY_MS = 1000;
let tableTimer = null;

async function redrawRecipients() {
  tableTimer = null;
  const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-recipients]");
  if (fresh) recipients.replaceChildren(...fresh.childNodes);
}

function receive(progress) {
  boxes(progress.campaign_id).forEach((box) => {
    box.dataset.heard = String(Number(box.dataset.heard || 0) + 1);
    draw(box, progress);
  });
  if (recipients && !tableTimer) tableTimer = setTimeout(redrawRecipients, TABLE_EVERY_MS);
}

// What changed before this socket joined (or while it was away) came in no event: ask once connected.
// An event heard meanwhile wins: any change after it was read brings another event.
async function catchUp() {
  for (const box of document.querySelectorAll("[data-progress-url]")) {
    const heard = box.dataset.heard;
    const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const progress = response.ok ? await response.json() : null;
    if (progress && box.dataset.heard === heard) draw(box, progress);
  }
}

if (document.querySelector("[data-campaign]")) {
  const socket = connect(document.querySelector('[data-testid="connection"]'));
  socket.on("campaign_progress", receive);
  socket.on("connect", catchUp);
}
