"""A fake OpenAI-compatible Chat Completions API on the loopback fake server: scripted text answers,
`handoff_to_agent` tool calls, errors and answers that never come, over real HTTP."""

from __future__ import annotations

import json

from tests.fakes.provider_server import FakeProviderServer, FakeResponse, bearer_required

PATH = "/v1/chat/completions"


def completion(text="", tool_reason=None, tokens=30):
    """A Chat Completions answer: `text`, and a handoff_to_agent call when `tool_reason` is given."""
    message = {"role": "assistant", "content": text or None}
    if tool_reason is not None:
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {
            "name": "handoff_to_agent", "arguments": json.dumps({"reason": tool_reason})}}]
    return FakeResponse(json={
        "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_reason else "stop"}],
        "usage": {"prompt_tokens": tokens - tokens // 3, "completion_tokens": tokens // 3, "total_tokens": tokens},
    })


def failure(status=500, message="The server had an error while processing your request."):
    return FakeResponse(status, {"error": {"message": message, "type": "server_error"}})


class FakeChatModel:
    """`base_url` goes into the account's assistant settings; `key` is the API key it accepts."""

    def __init__(self, server: FakeProviderServer, key="sk-fake-assistant-key"):
        self.server = server
        self.key = key
        self.base_url = server.url + "/v1"
        self.always(completion("Hello! How can I help?"))

    def always(self, response: FakeResponse):
        """Every request gets `response` (after any scripted ones)."""
        self.server.route("POST", PATH, bearer_required(self.key, lambda req: response))

    def then(self, *responses: FakeResponse):
        """The next requests get `responses`, one each, in order."""
        self.server.script("POST", PATH, *responses)

    def hang(self):
        """Requests get no answer until the returned event is set (past the client's timeout)."""
        return self.server.hang("POST", PATH, completion("too late"))

    @property
    def requests(self):
        return [r.json for r in self.server.requests_to(PATH, "POST")]

    def headers(self):
        return [r.headers for r in self.server.requests_to(PATH, "POST")]
