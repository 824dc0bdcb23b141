from types import SimpleNamespace

from app.blueprints._crud import Section, form_data
from app.blueprints._shared import options
from app.blueprints.canned_answers import bp
from app.blueprints.canned_answers.forms import CannedAnswerForm, buttons_from_form, buttons_to_form
from app.services.setup import canned_answers, queue_admin

SERVICE = SimpleNamespace(list=canned_answers.list_answers, get=canned_answers.get_answer, create=canned_answers.create_answer,
                          update=canned_answers.update_answer, delete=canned_answers.delete_answer)


def _choices(form):
    form.queue_ids.choices = options((q["_id"], q["name"]) for q in queue_admin.all_queues())


def _queue_names(doc):
    names = {q["_id"]: q["name"] for q in queue_admin.all_queues()}
    return ", ".join(names[i] for i in doc.get("queue_ids", []) if i in names) or "—"


Section(
    bp, "canned answer", "canned answers", CannedAnswerForm, SERVICE,
    columns=[("Title", lambda d: d["title"]), ("Queues", _queue_names), ("Text", lambda d: d["text"][:80])],
    title=lambda d: d["title"],
    prepare=_choices,
    to_form=lambda d: {**d, "queue_ids": [str(i) for i in d.get("queue_ids", [])], "buttons": buttons_to_form(d.get("buttons"))},
    from_form=lambda form: {**form_data(form), "buttons": buttons_from_form(form.buttons.data)},
    help={"text": "Placeholders: " + ", ".join(f"{{{p}}}" for p in canned_answers.PLACEHOLDERS) + ".",
          "buttons": "One button a line: “id = title” (title up to 20 characters). With buttons, agents send the answer "
                     "as an interactive message, where the account's provider allows it."},
).register()
