"""One request to an OpenAI-compatible Chat Completions endpoint (`POST {base}/chat/completions`),
with a hard timeout, the hand-off tool, and every failure turned into one sentence an admin can act on.

Plain `requests`: the call is one JSON POST, and any server that speaks the format (OpenAI, Azure's
compatible route, vLLM, Ollama, LiteLLM…) answers it; the API key travels only in its header.
"""

import json
from dataclasses import dataclass

import requests

from app.services.assistant import settings

HANDOFF_TOOL = "handoff_to_agent"
TOOLS = [{
    "type": "function",
    "function": {
        "name": HANDOFF_TOOL,
        "description": "Hand the conversation to a human agent: the customer asks for one, or you cannot help.",
        "parameters": {
            "type": "object",
            "properties": {"reason": {"type": "string", "description": "Why a person should take over, in a few words."}},
            "required": ["reason"],
        },
    },
}]
ERROR_TEXT_LIMIT = 300


class AssistantUnavailable(Exception):
    """The endpoint failed, timed out or answered something unreadable; the message says which."""


@dataclass(frozen=True)
class Completion:
    text: str
    handoff: str | None  # the reason, when the model called handoff_to_agent
    tokens: int  # total tokens the endpoint reported for this request (0 when it reports none)


def complete(endpoint, model, api_key, messages, session=None):
    """The model's answer to `messages` (chat format); raises AssistantUnavailable."""
    url = endpoint.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = {"model": model, "messages": messages, "tools": TOOLS}
    wait = settings.timeout()
    try:
        response = (session or requests).post(url, json=body, headers=headers, timeout=(wait, wait))
    except requests.Timeout:
        raise AssistantUnavailable(f"The endpoint did not answer within {wait:g} s ({url}).") from None
    except requests.RequestException as exc:
        raise AssistantUnavailable(f"Could not reach {url}: {_reason(exc)}") from None
    if response.status_code >= 400:
        raise AssistantUnavailable(f"The endpoint answered HTTP {response.status_code}: {_error_text(response)}")
    try:
        return _read(response.json())
    except (ValueError, LookupError, TypeError, AttributeError):
        raise AssistantUnavailable(
            f"The endpoint's answer is not a Chat Completions response: {response.text[:ERROR_TEXT_LIMIT]!r}"
        ) from None


def _read(data):
    message = data["choices"][0]["message"]
    handoff = None
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        if function.get("name") == HANDOFF_TOOL:
            handoff = _tool_reason(function.get("arguments")) or "The assistant handed over."
    usage = data.get("usage") or {}
    tokens = usage.get("total_tokens") or (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)
    return Completion(text=(message.get("content") or "").strip(), handoff=handoff, tokens=int(tokens or 0))


def _tool_reason(arguments):
    try:
        reason = json.loads(arguments or "{}").get("reason")
    except (ValueError, AttributeError):
        return None
    return str(reason).strip()[:200] if reason else None


def _error_text(response):
    try:
        error = response.json().get("error")
        text = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        text = None
    return str(text or response.text or response.reason)[:ERROR_TEXT_LIMIT]


def _reason(exc):
    """The innermost cause of a connection failure (e.g. "Connection refused"), without the URL noise."""
    cause = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__
    return str(cause)[:ERROR_TEXT_LIMIT] or type(exc).__name__
