// One attachment per message: its kind guessed from the file, the account's limits checked
// before anything is uploaded, a preview, and the upload itself.

import { api } from "./api.js";
import { formatSize } from "./dom.js";

const STICKER_TYPES = ["image/webp"];

export function kindOf(file) {
  const type = (file.type || "").toLowerCase();
  if (STICKER_TYPES.includes(type)) return "sticker";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "document";
}

// The reason this file cannot go out on `account`, or null. Same rules the server applies.
export function refusal(file, kind, account, boot) {
  const family = kind === "voice" ? "audio" : kind;
  const name = file.name || "recording";
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".")).toLowerCase() : "";
  if (boot.refused_extensions.includes(ext)) return `${name}: ${ext} files are refused for safety.`;
  if (!account.allowed_attachment_types.includes(family)) return `This account does not allow ${family} attachments.`;
  const rule = boot.media_rules[kind];
  const type = (file.type || "").split(";")[0].toLowerCase();
  const voiceRecording = kind === "voice" && type === "audio/webm"; // rewrapped as OGG by the server
  if (rule?.mime_types && !voiceRecording && !rule.mime_types.includes(type)) {
    return `${name}: WhatsApp does not accept ${type || "this type"} as ${kind === "image" ? "an image" : `a ${kind}`} (${rule.mime_types.join(", ")}).`;
  }
  const limit = Math.min(account.max_attachment_bytes, account.limits[family] ?? Infinity, rule?.max_bytes ?? Infinity);
  if (file.size > limit) return `${name} is ${formatSize(file.size)}: the limit for ${kind} attachments on this account is ${formatSize(limit)}.`;
  if (file.size === 0) return `${name} is empty.`;
  return null;
}

export async function upload(interactionId, file, kind) {
  const form = new FormData();
  form.append("file", file, file.name || "voice-note.webm");
  form.append("kind", kind);
  form.append("interaction_id", interactionId);
  return api.upload(form);
}
