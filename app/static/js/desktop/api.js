// The REST API with the browser's session: JSON in and out, the CSRF header on every write.

const CSRF = document.querySelector("meta[name=csrf-token]")?.content || "";

export class ApiError extends Error {
  constructor(message, status, fields = {}, code = "") {
    super(message);
    this.status = status; // 0: the request never got an answer (offline, server down)
    this.fields = fields;
    this.code = code;
  }
}

async function request(method, url, body, isForm = false) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = CSRF;
  if (body !== undefined && !isForm) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("No connection: check the network and retry.", 0);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    const fieldText = Object.values(error.fields || {}).join(" ");
    const message = error.message && fieldText && !error.message.includes(fieldText) ? `${error.message} ${fieldText}` : error.message;
    throw new ApiError(message || `The server answered ${response.status}.`, response.status, error.fields, error.code);
  }
  return data;
}

const API = "/api/v1";
const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

export const api = {
  interactions: (params) => request("GET", `${API}/interactions?${qs(params)}`),
  interaction: (id, before, limit) => request("GET", `${API}/interactions/${id}?${qs({ before, limit })}`),
  events: (id, afterSeq) => request("GET", `${API}/interactions/${id}/events?after_seq=${afterSeq}`),
  send: (id, payload) => request("POST", `${API}/interactions/${id}/messages`, payload),
  action: (id, name, body = {}) => request("POST", `${API}/interactions/${id}/${name}`, body),
  typing: (id) => request("POST", `${API}/interactions/${id}/typing`, {}),
  recontactTemplate: (id) => request("GET", `${API}/interactions/${id}/recontact`),
  recontact: (id, params) => request("POST", `${API}/interactions/${id}/recontact`, { params }),
  addContact: (id, messageId, card) => request("POST", `${API}/interactions/${id}/messages/${messageId}/add-contact`, { card }),
  contact: (id) => request("GET", `${API}/contacts/${id}`),
  updateContact: (id, changes) => request("PATCH", `${API}/contacts/${id}`, changes),
  list: (name) => request("GET", `${API}/${name}?per_page=100`),
  presence: () => request("GET", `${API}/me/presence`),
  setPresence: (state, reason) => request("PUT", `${API}/me/presence`, { state, reason }),
  retryMedia: (id, messageId) => request("POST", `/media/${id}/${messageId}/retry`, {}),
  upload: (form) => request("POST", "/media/upload", form, true),
};

export const mediaUrl = (fileId) => `/media/${encodeURIComponent(fileId)}`;
