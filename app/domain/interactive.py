"""Interactive messages an agent composes: reply buttons, a list, a call-to-action URL button.

WhatsApp's limits live here once: the shapes check lengths and counts (and publish them in the
OpenAPI document), `problems` checks what spans several fields, `LIMITS` is what the desktop's
dialog checks as the agent types, and `to_meta` writes Meta's `interactive` object. Parley stores
the message in its own shape (`Interactive`, as `model_dump` gives it), so the bubble, the preview
and every adapter read one form.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Meta's documented limits (Cloud API "Interactive reply buttons", "Interactive list messages",
# "Interactive CTA URL messages").
LIMITS = {
    "header": 60,
    "body": 1024,
    "footer": 60,
    "buttons": 3,
    "button_title": 20,
    "button_id": 256,
    "list_button": 20,
    "sections": 10,
    "rows": 10,
    "section_title": 24,
    "row_title": 24,
    "row_id": 200,
    "row_description": 72,
    "cta_text": 20,
    "url": 2000,
}
TYPES = ("button", "list", "cta_url")


def _text(limit, required=False):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1 if required else 0, max_length=limit)]


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplyButton(Part):
    id: _text(LIMITS["button_id"], required=True)
    title: _text(LIMITS["button_title"], required=True)


class Row(Part):
    id: _text(LIMITS["row_id"], required=True)
    title: _text(LIMITS["row_title"], required=True)
    description: _text(LIMITS["row_description"]) = ""


class Section(Part):
    title: _text(LIMITS["section_title"]) = ""
    rows: list[Row] = Field(min_length=1, max_length=LIMITS["rows"])


class ListAction(Part):
    button: _text(LIMITS["list_button"], required=True)
    sections: list[Section] = Field(min_length=1, max_length=LIMITS["sections"])


class CallToAction(Part):
    display_text: _text(LIMITS["cta_text"], required=True)
    url: _text(LIMITS["url"], required=True)


class Interactive(Part):
    """Reply buttons (`buttons`), a list (`list`) or a URL button (`cta`), with its texts."""

    type: Literal[TYPES]
    header: _text(LIMITS["header"]) = ""
    body: _text(LIMITS["body"], required=True)
    footer: _text(LIMITS["footer"]) = ""
    buttons: list[ReplyButton] = Field([], max_length=LIMITS["buttons"])
    list: ListAction | None = None
    cta: CallToAction | None = None


def say(error) -> str | None:
    """The sentence for a list over its count (pydantic's would speak of characters); None: the usual one."""
    if error["type"] == "too_long" and error["loc"][-1] in ("buttons", "sections", "rows"):
        return f"At most {error['ctx']['max_length']} {error['loc'][-1]}."
    return None


def problems(message: Interactive) -> dict[str, str]:
    """What the shape alone cannot see, per field (named as the shape's errors are)."""
    found = {}
    if message.type == "button":
        if not message.buttons:
            found["interactive.buttons"] = "Add at least one button."
        _unique(found, "interactive.buttons", [b.id for b in message.buttons], "Each button needs its own id.")
    elif message.type == "list":
        if message.list is None:
            return {"interactive.list": "Add the list's button and rows."}
        rows = [row for section in message.list.sections for row in section.rows]
        if len(rows) > LIMITS["rows"]:
            found["interactive.list.sections"] = f"At most {LIMITS['rows']} rows in all sections together."
        _unique(found, "interactive.list.sections", [row.id for row in rows], "Each row needs its own id.")
        if len(message.list.sections) > 1:
            for index, section in enumerate(message.list.sections):
                if not section.title:
                    found[f"interactive.list.sections.{index}.title"] = "Several sections need a title each."
    elif message.cta is None:
        found["interactive.cta"] = "Add the button's text and link."
    elif not message.cta.url.lower().startswith("https://") or len(message.cta.url) <= len("https://"):
        found["interactive.cta.url"] = "Use an https:// link."
    return found


def _unique(found, name, ids, sentence):
    if len(set(ids)) != len(ids):
        found[name] = sentence


def stored(message: Interactive) -> dict:
    """The stored form: only what its type uses."""
    keep = {"type", "header", "body", "footer", {"button": "buttons", "list": "list", "cta_url": "cta"}[message.type]}
    return message.model_dump(include=keep)


def to_meta(stored_message: dict) -> dict:
    """Meta's `interactive` object for a stored interactive message."""
    kind = stored_message["type"]
    out: dict = {"type": kind}
    if stored_message.get("header"):
        out["header"] = {"type": "text", "text": stored_message["header"]}
    out["body"] = {"text": stored_message["body"]}
    if stored_message.get("footer"):
        out["footer"] = {"text": stored_message["footer"]}
    if kind == "button":
        buttons = stored_message["buttons"]
        out["action"] = {"buttons": [{"type": "reply", "reply": {"id": b["id"], "title": b["title"]}} for b in buttons]}
    elif kind == "list":
        sections = []
        for section in stored_message["list"]["sections"]:
            rows = [{k: v for k, v in row.items() if v} for row in section["rows"]]
            sections.append({**({"title": section["title"]} if section.get("title") else {}), "rows": rows})
        out["action"] = {"button": stored_message["list"]["button"], "sections": sections}
    else:
        out["action"] = {"name": "cta_url", "parameters": dict(stored_message["cta"])}
    return out

