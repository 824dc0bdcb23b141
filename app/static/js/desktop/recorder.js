// Voice notes with MediaRecorder: record, listen, discard or send.

import { el, iconButton } from "./dom.js";

function bestType() {
  for (const type of ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm"]) {
    if (window.MediaRecorder?.isTypeSupported(type)) return type;
  }
  return "";
}

export class VoiceRecorder {
  // `onSend(blob)` sends the recording; the bar shows itself while recording or reviewing.
  constructor(onSend, onError) {
    this.onSend = onSend;
    this.onError = onError;
    this.blob = null;
    this.bar = el("div", { class: "dk-recorder", "data-testid": "recorder", hidden: true });
  }

  get active() {
    return !this.bar.hidden;
  }

  async start() {
    if (!window.MediaRecorder || !navigator.mediaDevices?.getUserMedia) return this.onError("This browser cannot record voice messages.");
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      return this.onError("The microphone is not available: allow it for this site to record.");
    }
    const type = bestType();
    this.recorder = new MediaRecorder(this.stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    this.recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
    this.recorder.onstop = () => {
      this.stream.getTracks().forEach((t) => t.stop());
      this.blob = new Blob(chunks, { type: (this.recorder.mimeType || "audio/webm").split(";")[0] });
      this.review();
    };
    this.recorder.start();
    this.started = Date.now();
    const clock = el("span", { class: "dk-rec-time", "data-testid": "recording-time", text: "0:00" });
    this.timer = setInterval(() => {
      const s = Math.floor((Date.now() - this.started) / 1000);
      clock.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }, 250);
    this.bar.replaceChildren(
      el("span", { class: "dk-rec-dot", "aria-hidden": "true" }),
      el("span", { text: "Recording " }),
      clock,
      el("button", { type: "button", class: "btn", text: "Stop", "data-testid": "record-stop", onclick: () => this.stop() }),
      iconButton("trash", "Discard recording", { "data-testid": "record-discard", onclick: () => this.discard() }),
    );
    this.bar.hidden = false;
    this.bar.querySelector("[data-testid=record-stop]").focus();
  }

  stop() {
    clearInterval(this.timer);
    if (this.recorder?.state === "recording") this.recorder.stop();
  }

  review() {
    this.url = URL.createObjectURL(this.blob);
    this.bar.replaceChildren(
      el("audio", { src: this.url, controls: true, "aria-label": "Listen to the recording", "data-testid": "recording-player" }),
      iconButton("trash", "Discard recording", { "data-testid": "record-discard", onclick: () => this.discard() }),
      el("button", { type: "button", class: "btn btn-primary", text: "Send voice message", "data-testid": "record-send", onclick: () => this.send() }),
    );
    this.bar.querySelector("[data-testid=record-send]").focus();
  }

  send() {
    const blob = this.blob;
    this.reset();
    this.onSend(blob);
  }

  discard() {
    clearInterval(this.timer);
    if (this.recorder?.state === "recording") {
      const stream = this.stream;
      this.recorder.onstop = () => stream.getTracks().forEach((t) => t.stop()); // nothing to review
      this.recorder.stop();
    }
    this.reset();
  }

  reset() {
    if (this.url) URL.revokeObjectURL(this.url);
    Object.assign(this, { blob: null, url: null, recorder: null });
    this.bar.hidden = true;
    this.bar.replaceChildren();
  }
}
