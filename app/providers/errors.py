"""Errors every adapter raises, so callers can decide retry, re-auth or "send a template" without knowing the provider."""

from __future__ import annotations

#: The one sentence agents see whenever a provider refuses a free-form message outside the 24 h window.
WINDOW_CLOSED_MESSAGE = "Send a Recontact template to continue the conversation"

CATEGORIES = frozenset(
    {
        "window_closed",  # outside the 24 h customer service window: only a template can go out
        "auth",  # expired/revoked credentials: the account needs re-authorization
        "rate_limited",
        "invalid_recipient",
        "media",
        "bad_request",
        "server",
        "timeout",
        "other",
    }
)


class ProviderError(Exception):
    """A failed provider call or a failed delivery, normalised.

    It is both an exception (raised by ``send`` and friends) and plain data (attached to a
    failed ``StatusUpdate``), hence ``to_dict``. ``retryable`` tells the job runner whether
    another attempt can succeed; ``retry_after`` is the provider's own hint in seconds.
    """

    def __init__(
        self,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        http_status: int | None = None,
        category: str = "other",
        retryable: bool = False,
        retry_after: float | None = None,
        provider: str | None = None,
    ):
        if category not in CATEGORIES:
            raise ValueError(f"unknown error category {category!r}")
        self.code = str(code)
        self.title = title
        self.detail = detail
        self.http_status = http_status
        self.category = category
        self.retryable = retryable
        self.retry_after = retry_after
        self.provider = provider
        super().__init__(f"{title}: {detail}" if detail else title)

    @property
    def user_message(self) -> str:
        """What an agent should read: the shared window sentence, else the provider's words."""
        if self.category == "window_closed":
            return WINDOW_CLOSED_MESSAGE
        return self.detail or self.title

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "http_status": self.http_status,
            "category": self.category,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "provider": self.provider,
            "user_message": self.user_message,
        }

    def __reduce__(self):
        # Exceptions pickle through their args by default, which would lose the keywords;
        # RQ and multiprocessing pickle exceptions.
        state = self.to_dict()
        state.pop("user_message")
        return (_rebuild_error, (state,))

    def __eq__(self, other):
        return isinstance(other, ProviderError) and self.to_dict() == other.to_dict()

    __hash__ = Exception.__hash__


def _rebuild_error(state: dict) -> ProviderError:
    code, title, detail = state.pop("code"), state.pop("title"), state.pop("detail")
    return ProviderError(code, title, detail, **state)


class WebhookRejected(Exception):
    """The webhook failed authentication: 401 when credentials are missing, 403 when wrong."""

    def __init__(self, status: int, reason: str):
        self.status = status
        self.reason = reason
        super().__init__(f"{status}: {reason}")


class MalformedWebhook(Exception):
    """The webhook body cannot be understood (answer 400, never 500)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)
