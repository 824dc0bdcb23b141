// The customer simulator: the server signs each sandbox webhook body, this page posts it to the
// account's real webhook, and a 1 s poll shows the conversation as the customer's phone would.
// Agent messages are acknowledged (delivered, then read) through the same webhook, so ticks move;
// the customer's own messages show the ticks Parley's read receipts earned them.
// Only numbers the server gave this session can be played: it refuses any other.
// Every text from the server is set with textContent: nothing here is parsed as HTML.

const root = document.querySelector("[data-simulator]");
const POLL_MS = 1000;
const REACTIONS = ["👍", "❤️", "😂", "🙏"];
const TICKS = { queued: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓", failed: "⚠" };
const RANK = { queued: 0, sent: 1, delivered: 2, read: 3, played: 4 };

if (root) {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const who = root.querySelector("[data-who]");
  const thread = root.querySelector("[data-thread]");
  const errorBox = root.querySelector("[data-error]");
  const notice = root.querySelector("[data-notice]");
  const menu = root.querySelector("[data-menu]");
  const menuToggle = root.querySelector("[data-menu-toggle]");
  const quoteBox = root.querySelector("[data-quote]");
  const state = { quote: null, acked: new Set(), lastJson: "", recorder: null, busy: false, openLists: new Set() };

  const accountId = () => who.account.value;
  const phone = () => who.phone.value.trim();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function showError(message) {
    errorBox.textContent = message || "";
  }

  function showNotice(message) {
    notice.textContent = message || "";
  }

  async function postJson(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || `HTTP ${response.status}`);
    return data;
  }

  // Post the signed body exactly as the server built it: the webhook verifies those bytes.
  async function deliver(signed) {
    const response = await fetch(signed.url, { method: "POST", headers: signed.headers, body: signed.body });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || `Webhook answered ${response.status}`);
    return data;
  }

  async function send(fields) {
    showError("");
    const payload = { phone: phone(), name: who.elements.namedItem("name").value, ...fields };
    if (state.quote && !payload.context_message_id) payload.context_message_id = state.quote.id;
    try {
      await deliver(await postJson(`/simulator/${accountId()}/message`, payload));
      setQuote(null);
      poll();
      return true;
    } catch (err) {
      showError(err.message);
      return false;
    }
  }

  function setQuote(message) {
    state.quote = message ? { id: message.provider_message_id, text: preview(message) } : null;
    quoteBox.hidden = !state.quote;
    quoteBox.querySelector("[data-quote-text]").textContent = state.quote ? state.quote.text : "";
  }

  function preview(message) {
    if (message.text) return message.text;
    if (message.template) return message.template.body || message.template.name;
    if (message.caption) return message.caption;
    if (message.interactive) return message.interactive.body;
    if (message.reply) return message.reply.title;
    return message.kind;
  }

  function mediaNode(message) {
    const media = message.media;
    if (media.state !== "ready" || !media.file_id) {
      return el("div", "sim-media-placeholder", media.state === "failed" || media.state === "deleted" ? "Media unavailable" : "Downloading…");
    }
    const src = `/simulator/${accountId()}/media/${encodeURIComponent(media.file_id)}`;
    const type = media.mime_type || "";
    if (type.startsWith("image/")) {
      const img = el("img", "sim-image");
      img.src = src;
      img.alt = media.filename || "image";
      return img;
    }
    if (type.startsWith("audio/")) {
      const audio = el("audio");
      audio.controls = true;
      audio.src = src;
      return audio;
    }
    const link = el("a", "sim-file", `📄 ${media.filename || "file"}`);
    link.href = src;
    return link;
  }

  function templateNode(message) {
    const box = el("div", "sim-template");
    const t = message.template;
    if (t.header && t.header.type === "text") box.append(el("div", "wa-header", t.header.text));
    else if (t.header) box.append(el("div", "wa-media", t.header.type));
    box.append(el("div", "wa-body", t.body));
    if (t.footer) box.append(el("div", "wa-footer", t.footer));
    for (const button of t.buttons || []) {
      if (button.type === "QUICK_REPLY") {
        const tap = el("button", "wa-button", button.text);
        tap.type = "button";
        tap.dataset.testid = "sim-quick-reply";
        tap.addEventListener("click", () =>
          send({
            kind: "template_reply",
            reply: { title: button.text, payload: button.payload || button.text },
            context_message_id: message.provider_message_id,
          }),
        );
        box.append(tap);
      } else {
        box.append(el("div", "wa-button", button.text));
      }
    }
    return box;
  }

  // A button or list row sends what the phone sends: the choice's id, answering this message.
  function choiceButton(message, kind, option, label) {
    const tap = el("button", "wa-button", label);
    tap.type = "button";
    tap.dataset.testid = kind === "button_reply" ? "sim-button" : "sim-list-row";
    tap.addEventListener("click", () =>
      send({ kind, reply: { id: option.id }, context_message_id: message.provider_message_id }),
    );
    return tap;
  }

  function interactiveNode(message) {
    const box = el("div", "sim-template sim-interactive");
    const i = message.interactive;
    if (i.header) box.append(el("div", "wa-header", i.header));
    box.append(el("div", "wa-body", i.body));
    if (i.footer) box.append(el("div", "wa-footer", i.footer));
    for (const button of i.buttons || []) box.append(choiceButton(message, "button_reply", button, button.title));
    if (i.list) {
      const open = el("button", "wa-button", `☰ ${i.list.button}`);
      open.type = "button";
      open.dataset.testid = "sim-list-open";
      const rows = el("div", "sim-list-rows");
      rows.hidden = !state.openLists.has(message.provider_message_id); // kept open across re-renders
      for (const section of i.list.sections || []) {
        if (section.title) rows.append(el("div", "wa-footer", section.title));
        for (const row of section.rows || []) {
          rows.append(choiceButton(message, "list_reply", row, row.description ? `${row.title} — ${row.description}` : row.title));
        }
      }
      open.addEventListener("click", () => {
        rows.hidden = !rows.hidden;
        if (rows.hidden) state.openLists.delete(message.provider_message_id);
        else state.openLists.add(message.provider_message_id);
      });
      box.append(open, rows);
    }
    if (i.cta) {
      const link = el("a", "wa-button", `↗ ${i.cta.display_text}`);
      link.href = i.cta.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      box.append(link);
    }
    return box;
  }

  function bodyNode(message) {
    if (message.template) return templateNode(message);
    if (message.interactive) return interactiveNode(message);
    const body = el("div", "sim-body");
    if (message.media) body.append(mediaNode(message));
    if (message.location) {
      const loc = message.location;
      body.append(el("div", "", `📍 ${loc.name || ""} ${loc.latitude}, ${loc.longitude}`.trim()));
    }
    if (message.contacts) {
      for (const card of message.contacts) body.append(el("div", "", `👤 ${(card.name && card.name.formatted_name) || "Contact"}`));
    }
    const text = message.text || message.caption || (message.reply && message.reply.title);
    if (text) body.append(el("div", "sim-text", text));
    if (!body.childNodes.length) body.append(el("div", "muted", message.kind));
    return body;
  }

  function actions(message) {
    const bar = el("div", "sim-actions");
    if (!message.provider_message_id) return bar;
    const quote = el("button", "btn btn-ghost", "Reply");
    quote.type = "button";
    quote.addEventListener("click", () => setQuote(message));
    bar.append(quote);
    if (message.direction === "out") {
      const mine = message.reactions && message.reactions.customer && message.reactions.customer.emoji;
      for (const emoji of REACTIONS) {
        const react = el("button", `btn btn-ghost${mine === emoji ? " chosen" : ""}`, emoji);
        react.type = "button";
        react.dataset.testid = "sim-react";
        react.setAttribute("aria-label", mine === emoji ? `Remove ${emoji}` : `React ${emoji}`);
        react.addEventListener("click", () =>
          send({ kind: "reaction", reaction: { message_id: message.provider_message_id, emoji: mine === emoji ? "" : emoji } }),
        );
        bar.append(react);
      }
    }
    return bar;
  }

  function render(data) {
    const byProviderId = new Map(data.messages.map((m) => [m.provider_message_id, m]));
    thread.replaceChildren();
    for (const message of data.messages) {
      const item = el("li", `sim-msg ${message.direction === "in" ? "sim-mine" : "sim-theirs"}`);
      item.dataset.testid = message.direction === "in" ? "sim-customer-message" : "sim-agent-message";
      item.dataset.kind = message.kind;
      const quoted = message.reply_to && byProviderId.get(message.reply_to);
      if (message.reply_to) item.append(el("div", "sim-quoted", quoted ? preview(quoted) : "Quoted message"));
      item.append(bodyNode(message));
      const meta = el("div", "sim-meta", new Date(message.at).toLocaleTimeString());
      if (message.status) {
        const tick = el("span", `sim-tick tick-${message.status}`, TICKS[message.status] || "");
        tick.dataset.testid = "sim-tick";
        tick.dataset.status = message.status;
        meta.append(" ", tick);
      }
      const reactions = message.reactions || {};
      for (const side of ["customer", "agent"]) {
        if (reactions[side] && reactions[side].emoji) meta.append(" ", el("span", "sim-reaction", reactions[side].emoji));
      }
      item.append(meta, actions(message));
      thread.append(item);
    }
    thread.scrollTop = thread.scrollHeight;
  }

  // The phone tells WhatsApp it received and showed each agent message: delivered, then read.
  async function acknowledge(messages) {
    for (const message of messages) {
      if (message.direction !== "out" || !message.provider_message_id || message.status === "failed") continue;
      for (const status of ["delivered", "read"]) {
        const key = `${message.provider_message_id}:${status}`;
        if ((RANK[message.status] || 0) >= RANK[status] || state.acked.has(key)) continue;
        state.acked.add(key);
        try {
          const ack = { phone: phone(), message_id: message.provider_message_id, status };
          await deliver(await postJson(`/simulator/${accountId()}/ack`, ack));
        } catch (err) {
          state.acked.delete(key);
          showError(err.message);
        }
      }
    }
  }

  async function poll() {
    if (state.busy || !phone()) return;
    state.busy = true;
    try {
      const url = `/simulator/${accountId()}/conversation?phone=${encodeURIComponent(phone())}`;
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const text = await response.text();
      if (text !== state.lastJson) {
        state.lastJson = text;
        const data = JSON.parse(text);
        root.querySelector("[data-conversation-state]").textContent = data.interaction_id
          ? `${data.status}${data.agent_name ? ` · ${data.agent_name}` : ""}`
          : "No conversation yet";
        const windowState = root.querySelector("[data-window]");
        windowState.textContent = data.interaction_id ? (data.window_open ? "24 h window open" : "24 h window closed") : "";
        windowState.dataset.open = data.window_open ? "true" : "false";
        render(data);
        acknowledge(data.messages);
      }
    } finally {
      state.busy = false;
    }
  }

  function readAsDataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  function kindOf(type) {
    if (type === "image/jpeg" || type === "image/png") return "image";
    if (type === "image/webp") return "sticker";
    if (type.startsWith("video/")) return "video";
    if (type.startsWith("audio/")) return "audio";
    return "document";
  }

  root.querySelector("[data-compose]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.text;
    if (!input.value.trim()) return;
    if (await send({ kind: "text", text: input.value })) input.value = "";
  });

  // The attach menu and its sheets live inside the phone: opening one never makes the page longer.
  function setMenu(open) {
    menu.hidden = !open;
    menuToggle.setAttribute("aria-expanded", String(open));
    if (open) menu.querySelector("[role=menuitem]").focus();
  }

  function openSheet(name) {
    for (const sheet of root.querySelectorAll("[data-sheet]")) sheet.hidden = sheet.dataset.sheet !== name;
    setMenu(false);
    const first = name && root.querySelector(`[data-sheet="${name}"] input`);
    if (first) first.focus();
  }

  menuToggle.addEventListener("click", () => setMenu(menu.hidden));
  menu.addEventListener("keydown", (event) => {
    const items = [...menu.querySelectorAll("[role=menuitem]")];
    const at = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      setMenu(false);
      menuToggle.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      items[(at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length].focus();
    }
  });
  for (const button of root.querySelectorAll("[data-open-sheet]")) {
    button.addEventListener("click", () => openSheet(button.dataset.openSheet));
  }
  for (const button of root.querySelectorAll("[data-close-sheet]")) button.addEventListener("click", () => openSheet(null));

  root.querySelector("[data-file]").addEventListener("change", async (event) => {
    setMenu(false);
    const file = event.target.files[0];
    if (!file) return;
    const caption = root.querySelector("[data-compose]").text;
    const sent = await send({
      kind: kindOf(file.type || ""),
      media: { data_url: await readAsDataUrl(file), filename: file.name },
      caption: caption.value,
    });
    if (sent) caption.value = "";
    event.target.value = "";
  });

  root.querySelector("[data-record]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (state.recorder) {
      state.recorder.stop();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      const recorder = new MediaRecorder(stream, { mimeType: "audio/webm;codecs=opus" });
      recorder.ondataavailable = (e) => chunks.push(e.data);
      recorder.onstop = async () => {
        stream.getTracks().forEach((track) => track.stop());
        state.recorder = null;
        button.textContent = "Record voice note";
        setMenu(false);
        const blob = new Blob(chunks, { type: "audio/webm" });
        await send({ kind: "voice", media: { data_url: await readAsDataUrl(blob) } });
      };
      recorder.start();
      state.recorder = recorder;
      button.textContent = "Stop and send";
    } catch (err) {
      showError(`Recording is not possible here: ${err.message}`);
    }
  });

  root.querySelector("[data-location]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target;
    const location = { latitude: f.latitude.value, longitude: f.longitude.value, name: f.elements.namedItem("name").value };
    if (await send({ kind: "location", location })) openSheet(null);
  });

  root.querySelector("[data-contact]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const contact = { name: event.target.elements.namedItem("name").value, phone: event.target.phone.value };
    if (await send({ kind: "contacts", contact })) openSheet(null);
  });

  root.querySelector("[data-new-number]").addEventListener("click", async () => {
    showError("");
    try {
      const { numbers } = await postJson("/simulator/numbers", {});
      who.phone.replaceChildren(...numbers.map((n) => new Option(n, n)));
      who.phone.value = numbers[numbers.length - 1];
      reset();
    } catch (err) {
      showError(err.message);
    }
  });

  const jump = root.querySelector("[data-jump]");
  if (jump) {
    jump.addEventListener("click", async () => {
      showError("");
      showNotice("");
      try {
        await postJson(`/simulator/${accountId()}/jump`, { phone: phone() });
        showNotice(`24 hours later: ${phone()}'s window is closed. Agents can now only send a template.`);
        poll();
      } catch (err) {
        showError(err.message);
      }
    });
  }

  root.querySelector("[data-cancel-quote]").addEventListener("click", () => setQuote(null));

  function reset() {
    state.lastJson = "";
    root.querySelector("[data-account-name]").textContent = who.account.selectedOptions[0].textContent;
    setQuote(null);
    showNotice("");
    poll();
  }
  who.account.addEventListener("change", reset);
  who.phone.addEventListener("change", reset);
  who.addEventListener("submit", (event) => event.preventDefault());
  reset();
  setInterval(poll, POLL_MS);
}
