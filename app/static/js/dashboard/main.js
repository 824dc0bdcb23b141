// The dashboard follows every interaction event (admins receive them all): after a burst of events
// settles it refetches the figures, drawn by the server, and swaps them in. A slow timer also
// refreshes, since agents coming online and jobs queueing send no interaction event.
import { io } from "../../vendor/socket.io/socket.io.esm.min.js";
import { startSupervision } from "./supervision.js";

const EVENTS = ["offer", "message", "assigned", "offer_withdrawn", "closed", "reopened", "transferred", "window_expired", "sla_breached"];
const DEBOUNCE_MS = 700;
const IDLE_REFRESH_MS = 30_000;

const box = document.getElementById("dashboard-live");
if (box) {
  let timer = null;
  let inFlight = false;
  let again = false;

  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    try {
      const response = await fetch(box.dataset.liveUrl, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (response.ok) box.innerHTML = await response.text();
    } finally {
      inFlight = false;
      if (again) { again = false; schedule(); }
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  const indicator = document.querySelector('[data-testid="connection"]');
  const show = (state, label) => {
    indicator.dataset.state = state;
    indicator.querySelector(".conn-label").textContent = label;
  };
  const socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  socket.on("connect", () => show("connected", "Live"));
  socket.on("disconnect", () => show("reconnecting", "Reconnecting…"));
  socket.on("session_ended", () => window.location.assign("/login"));
  EVENTS.forEach((name) => socket.on(name, schedule));
  socket.on("connect", schedule);
  setInterval(refresh, IDLE_REFRESH_MS);
  startSupervision(socket);
}
