// The REST API with the page's session: JSON in and out, X-CSRFToken on writes, errors as Error(message).
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrf();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    const details = Object.values(error.fields || {}).join(" ");
    throw new Error([error.message || `Request failed (${response.status})`, details].filter(Boolean).join(" "));
  }
  return data;
}
