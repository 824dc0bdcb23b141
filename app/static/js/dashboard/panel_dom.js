// What the supervision panels share: durations and presence as they print them, cells, keyed rows.

export const PRESENCE = { online: "Online", paused: "Paused", offline: "Offline" };

// Seconds as the panels print them: 45 s, 12 min, 2 h 05 min.
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export function presenceLabel(agent) {
  return agent.state === "paused" && agent.reason ? `Paused · ${agent.reason}` : PRESENCE[agent.state] || agent.state;
}

export function cell(row, testid, tag = "td") {
  const el = document.createElement(tag);
  el.dataset.testid = testid;
  row.append(el);
  return el;
}

// Put one element per item into `container` (after a table's head), in order: an element whose key
// was there already is kept and updated, not replaced.
export function sync(container, items, keyOf, make, update) {
  const existing = new Map([...container.children].filter((el) => el.dataset.key).map((el) => [el.dataset.key, el]));
  let previous = container.tHead || null;
  for (const item of items) {
    const key = keyOf(item);
    let el = existing.get(key);
    if (el) existing.delete(key);
    else {
      el = make(item);
      el.dataset.key = key;
    }
    update(el, item);
    const next = previous ? previous.nextElementSibling : container.firstElementChild;
    if (next !== el) container.insertBefore(el, next);
    previous = el;
  }
  existing.forEach((el) => el.remove());
}
