// The new-campaign form: the template select offers only the chosen account's templates and says
// how many parameters the chosen one takes, the rate starts at the account's default (its tier, at
// most 80) until the admin types one, and the preview pane is drawn again by the server (escaped
// HTML) shortly after each change. Without this script the form still works: the server refuses a
// template of another account or a rate above the tier next to its field.
const form = document.getElementById("campaign-form");
const target = document.querySelector("[data-preview-target]");
const WAIT_MS = 300;

const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function wire() {
  const account = form.elements.namedItem("account_id");
  const template = form.elements.namedItem("template_id");
  const rate = form.elements.namedItem("rate");
  const sample = form.elements.namedItem("sample_phone");
  const counts = document.querySelector("[data-param-counts]");
  const tier = document.querySelector("[data-tier-hint]");
  const chosenAccount = () => account.selectedOptions[0];
  let rateTyped = rate.value !== "" && rate.value !== chosenAccount()?.dataset.rate;
  let timer = null;
  let asked = 0;

  function followAccount() {
    let kept = false;
    for (const option of template.options) {
      const mine = option.dataset.account === account.value;
      option.hidden = !mine;
      option.disabled = !mine;
      kept ||= mine && option.selected;
    }
    if (!kept) template.value = [...template.options].find((option) => !option.disabled)?.value ?? "";
    const chosen = chosenAccount();
    if (chosen && !rateTyped) rate.value = chosen.dataset.rate;
    tier.hidden = !chosen;
    if (chosen) tier.textContent = `This number's tier: at most ${chosen.dataset.tier} messages per second.`;
  }

  function describeTemplate() {
    const option = template.selectedOptions[0];
    counts.hidden = !option;
    if (!option) return;
    const header = Number(option.dataset.headerParams);
    const body = Number(option.dataset.bodyParams);
    const inHeader = header ? ` and ${plural(header, "header parameter")}` : "";
    counts.textContent = `This template takes ${plural(body, "body parameter")}${inHeader}.`;
  }

  async function refresh() {
    const ticket = ++asked;
    const body = new FormData(form);
    body.delete("contacts_csv"); // the file is read when the campaign is created, not at each keystroke
    let html;
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
      html = response.ok ? await response.text() : null;
    } catch {
      html = null;
    }
    if (ticket !== asked) return; // a later change has asked again
    if (html === null) target.textContent = "The preview is not available right now.";
    else target.innerHTML = html; // drawn by the server, every value escaped there
    target.dataset.drawn = String(ticket);
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, WAIT_MS);
  }

  account.addEventListener("change", () => {
    followAccount();
    describeTemplate();
  });
  template.addEventListener("change", describeTemplate);
  rate.addEventListener("input", () => {
    rateTyped = true;
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  sample.addEventListener("input", later); // outside the form element, though it belongs to it
  followAccount();
  describeTemplate();
  if (!target.childElementCount) refresh();
}

if (form && target) wire();
