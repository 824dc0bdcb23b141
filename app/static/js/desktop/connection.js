// The desktop's live connection: one Socket.IO client, and the indicator that shows its state.
import { io } from "../../vendor/socket.io/socket.io.esm.min.js";

const LABELS = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
};

export function showState(indicator, state) {
  if (!indicator) return;
  indicator.dataset.state = state;
  indicator.querySelector(".conn-label").textContent = LABELS[state];
}

export function connect(indicator) {
  const socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  showState(indicator, "connecting");
  socket.on("connect", () => showState(indicator, "connected"));
  socket.on("disconnect", (reason) => {
    // The server closed us (signed out or deactivated): do not come back on our own.
    showState(indicator, reason === "io server disconnect" ? "disconnected" : "reconnecting");
  });
  socket.io.on("reconnect_attempt", () => showState(indicator, "reconnecting"));
  socket.on("connect_error", () => showState(indicator, socket.active ? "reconnecting" : "disconnected"));
  // The browser knows first when the network goes: do not wait for a ping to time out.
  let droppedOffline = false;
  window.addEventListener("offline", () => {
    if (!socket.connected && !socket.active) return;
    droppedOffline = true;
    socket.disconnect();
    showState(indicator, "reconnecting");
  });
  window.addEventListener("online", () => {
    if (droppedOffline) socket.connect();
    droppedOffline = false;
  });
  socket.on("session_ended", () => {
    socket.disconnect();
    window.location.assign("/login");
  });
  return socket;
}
