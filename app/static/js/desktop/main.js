// Agent desktop entry point: boot data from the page, the live connection, the desktop.
import { connect } from "./connection.js";
import { Desktop } from "./desktop.js";
import { PresenceControl } from "./presence.js";

const indicator = document.querySelector("[data-testid=connection]");
const boot = JSON.parse(document.getElementById("desktop-data").textContent);
const socket = connect(indicator);
const desktop = new Desktop(boot, socket, document.getElementById("desktop"));
const presence = new PresenceControl(document.querySelector("[data-testid=presence-control]"), boot.user.id);

// Every (re)connect: tabs join their rooms again and fetch what they missed meanwhile.
socket.on("connect", () => {
  desktop.reconnected();
  presence.load(); // a reconnect may have brought back what the agent had chosen
});
socket.on("agent_state", (event) => presence.handle(event));
socket.onAny((name, data) => desktop.route(name, data));
desktop.restore();
// Other pages (the interactions list, a new outbound conversation) link here with ?open=<id>.
const requested = new URLSearchParams(window.location.search).get("open");
if (requested && /^[0-9a-f]{24}$/.test(requested)) desktop.openTab(requested, { focus: true });
desktop.refreshCount();
window.parley = { socket, desktop };
