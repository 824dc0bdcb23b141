"""Filling a template's parameters and rendering what the customer will see."""

from app.services.errors import ValidationFailed
from app.services.setup.template_catalog import component, parameters

PARAM_MAX = 1024


def _fill(text, values):
    for number, value in enumerate(values, start=1):
        text = text.replace(f"{{{{{number}}}}}", value)
    return text


def _check_values(values, needed, field, errors):
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        errors[field] = "Give each parameter as non-empty text."
        return []
    if len(values) != needed:
        errors[field] = f"This template needs {needed} parameter(s) here, got {len(values)}."
    elif any(len(v) > PARAM_MAX for v in values):
        errors[field] = f"Parameters are at most {PARAM_MAX} characters."
    return values


def prepare(template, params):
    """Check `params` against the template and return (rendered bubble, provider parameters).

    params: {"header": [..] or {"link"|"file_id": ...} for media headers, "body": [..], "buttons": {index: value}}.
    """
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationFailed("Template parameters must be an object.", {"params": "Must be an object."})
    errors = {}
    header, body, footer, buttons = (component(template, kind) for kind in ("HEADER", "BODY", "FOOTER", "BUTTONS"))
    rendered = {"name": template["name"], "language": template["language"]}
    spec = {"name": template["name"], "language": template["language"], "body_params": [], "header": None, "buttons": []}

    if header:
        fmt = header.get("format", "TEXT")
        if fmt == "TEXT":
            values = _check_values(params.get("header", []), len(parameters(header.get("text"))), "params.header", errors)
            rendered["header"] = {"type": "text", "text": _fill(header.get("text", ""), values)}
            if values:
                spec["header"] = {"type": "text", "text": values[0]}
        else:
            media = params.get("header") if isinstance(params.get("header"), dict) else {}
            sample = ((header.get("example") or {}).get("header_handle") or [None])[0]
            file_id = media.get("file_id") or header.get("media_file_id")  # the file the admin uploaded
            link = media.get("link") or (None if file_id else sample)
            if not link and not file_id:
                errors["params.header"] = f"This template needs a {fmt.lower()} for its header."
            rendered["header"] = {"type": fmt.lower(), "link": link, "file_id": file_id, "filename": media.get("filename")}
            spec["header"] = {"type": fmt.lower(), "link": link, "file_id": file_id, "filename": media.get("filename")}
    values = _check_values(params.get("body", []), len(parameters(body.get("text") if body else "")), "params.body", errors)
    rendered["body"] = _fill(body["text"], values) if body else ""
    spec["body_params"] = values
    if footer:
        rendered["footer"] = footer.get("text")
    rendered["buttons"] = []
    button_values = params.get("buttons") or {}
    if not isinstance(button_values, dict):
        errors["params.buttons"] = "Give button parameters by button index."
        button_values = {}
    for index, button in enumerate((buttons or {}).get("buttons", [])):
        shown = {"type": button.get("type"), "text": button.get("text")}
        if button.get("type") == "URL" and parameters(button.get("url")):
            value = button_values.get(str(index))
            if not isinstance(value, str) or not value.strip():
                errors[f"params.buttons.{index}"] = "This URL button needs its parameter."
            else:
                shown["url"] = _fill(button["url"], [value])
                spec["buttons"].append({"sub_type": "url", "index": index, "text": value})
        elif button.get("type") == "QUICK_REPLY":
            spec["buttons"].append(
                {"sub_type": "quick_reply", "index": index, "payload": button_values.get(str(index)) or button.get("text")}
            )
        elif button.get("url"):
            shown["url"] = button["url"]
        if button.get("phone_number"):
            shown["phone_number"] = button["phone_number"]
        rendered["buttons"].append(shown)
    unknown = set(params) - {"header", "body", "buttons"}
    if unknown:
        errors["params"] = f"Unknown parameter groups: {', '.join(sorted(unknown))}."
    if errors:
        raise ValidationFailed("The template parameters do not match the template.", errors)
    return rendered, spec
