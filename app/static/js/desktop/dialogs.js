// The close and transfer dialogs of a tab, and the reaction chooser of a message.

import { api } from "./api.js";
import { el, iconButton } from "./dom.js";
import { QUICK_REACTIONS, emojiPicker } from "./emoji.js";
import { closePopover, dialog, openPopover } from "./popover.js";

let labels = null;

// Dispositions and tags change rarely: fetched once per page.
function loadLabels() {
  if (!labels) {
    labels = Promise.all([api.list("dispositions"), api.list("tags")])
      .then(([d, t]) => ({ dispositions: d.data || [], tags: t.data || [] }))
      .catch(() => ((labels = null), { dispositions: [], tags: [] }));
  }
  return labels;
}

// Resolves with {disposition, tags} when the agent confirms closing, null otherwise.
export async function askClose(contactName) {
  const { dispositions, tags } = await loadLabels();
  const select = el("select", { id: "dk-close-disposition", "data-testid": "close-disposition" },
    el("option", { value: "", text: "No disposition" }),
    dispositions.map((d) => el("option", { value: d.name, text: d.name })));
  const boxes = tags.map((t) => el("input", { type: "checkbox", value: t.name, "data-testid": "close-tag" }));
  return dialog({
    title: `Close the conversation with ${contactName}?`,
    confirm: "Close conversation",
    danger: true,
    testid: "close-dialog",
    body: [
      el("p", { class: "muted", text: "The customer can write again later; a new message opens a new interaction." }),
      el("div", { class: "field" }, el("label", { for: "dk-close-disposition", text: "Disposition (optional)" }), select),
      tags.length > 0 && el("fieldset", { class: "dk-tags" }, el("legend", { text: "Tags (optional)" }),
        tags.map((t, i) => el("label", { class: "check" }, boxes[i], ` ${t.name}`))),
    ],
    collect: () => ({ disposition: select.value || null, tags: boxes.filter((b) => b.checked).map((b) => b.value) }),
  });
}

// Resolves with {agent_id} or {queue_id}, or null.
export function askTransfer(boot, currentAgentId) {
  const agents = boot.agents.filter((a) => a.id !== currentAgentId);
  const agentSelect = el("select", { id: "dk-transfer-agent", "data-testid": "transfer-agent" },
    el("option", { value: "", text: "Choose an agent" }), agents.map((a) => el("option", { value: a.id, text: a.name })));
  const queueSelect = el("select", { id: "dk-transfer-queue", "data-testid": "transfer-queue" },
    el("option", { value: "", text: "Choose a queue" }), boot.queues.map((q) => el("option", { value: q.id, text: q.name })));
  return dialog({
    title: "Transfer the conversation",
    confirm: "Transfer",
    testid: "transfer-dialog",
    body: [
      el("div", { class: "field" }, el("label", { for: "dk-transfer-agent", text: "To an agent" }), agentSelect),
      el("div", { class: "field" }, el("label", { for: "dk-transfer-queue", text: "…or to a queue (offered to its agents)" }), queueSelect),
    ],
    collect: (error) => {
      if (Boolean(agentSelect.value) === Boolean(queueSelect.value)) {
        error.textContent = "Choose an agent or a queue (one of them).";
        return false;
      }
      return agentSelect.value ? { agent_id: agentSelect.value } : { queue_id: queueSelect.value };
    },
  });
}

// Quick reactions, the full picker, and a bin to take the agent's reaction back.
export function chooseReaction(anchor, current, onChoose) {
  const pick = (emoji) => {
    closePopover();
    onChoose(emoji);
  };
  const quick = el("div", { class: "dk-quick-reactions" },
    QUICK_REACTIONS.map((e) => el("button", { type: "button", class: "dk-emoji", "aria-label": `React with ${e}`, "data-emoji": e, text: e, onclick: () => pick(e) })),
    current && iconButton("trash", "Remove your reaction", { "data-testid": "reaction-remove", onclick: () => pick("") }));
  openPopover(anchor, el("div", { class: "dk-reaction-chooser", "data-testid": "reaction-chooser" }, quick, emojiPicker(pick, "More reactions")));
}
