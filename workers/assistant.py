"""The AI assistant's job: answer a customer's message on a bot-handled interaction, or hand it over."""

from bson import ObjectId

from app.services.assistant import conversation
from workers.context import job


@job
def answer_customer(interaction_id: str, message_id: str):
    return conversation.answer(ObjectId(interaction_id), message_id)
