"""The admin's "Test" box: one sample message through the account's saved assistant settings, and
the answer or the endpoint's exact error."""

from app.domain.shapes import AssistantTrial
from app.services.assistant import chat_api, prompt
from app.services.channel import accounts
from app.services.errors import ValidationFailed
from app.services.setup.records import Fields


def try_assistant(account_id, data):
    """{"ok": True, "answer", "handoff", "tokens"} or {"ok": False, "error"} for `data` {"message": …};
    a bad sample raises ValidationFailed naming the field."""
    account = accounts.get_account(account_id)
    sample = Fields(AssistantTrial, data).finish("Nothing to send.")["message"]
    chatbot = prompt.chatbot_of(account)
    if not chatbot["endpoint"] or not chatbot["model"]:
        raise ValidationFailed("The assistant is not configured.", {"message": "Save the API base URL and the model first."})
    messages = prompt.chat_messages(chatbot, [("user", sample)])
    try:
        answer = chat_api.complete(chatbot["endpoint"], chatbot["model"], prompt.api_key_of(account), messages)
    except chat_api.AssistantUnavailable as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "answer": answer.text, "handoff": answer.handoff, "tokens": answer.tokens}
