from types import SimpleNamespace

from app.blueprints._crud import Section
from app.blueprints._shared import options
from app.blueprints.queues import bp
from app.blueprints.queues.forms import MESSAGE_KINDS, QueueForm, fill_choices, from_form, to_form
from app.domain.shapes import WEEKDAYS
from app.services.people import agents
from app.services.setup import queue_admin


def _choices(form):
    form.agent_ids.choices = options((a["_id"], f"{a['name']} <{a['email']}>") for a in agents.active_agents())
    fill_choices(form)


def _member_names(doc):
    names = {a["_id"]: a["name"] for a in agents.active_agents()}
    return ", ".join(names.get(i, "(inactive)") for i in doc.get("agent_ids", [])) or "—"


SERVICE = SimpleNamespace(list=queue_admin.list_queues, get=queue_admin.get_queue, create=queue_admin.create_queue,
                          update=queue_admin.update_queue, delete=queue_admin.delete_queue)

Section(
    bp, "queue", "queues", QueueForm, SERVICE,
    columns=[("Name", lambda d: d["name"]), ("Agents", _member_names), ("Description", lambda d: d.get("description", ""))],
    prepare=_choices,
    to_form=to_form,
    from_form=from_form,
    template="queues/form.html",
    help={"agent_ids": "Hold Ctrl (⌘ on a Mac) to pick several. An agent may be in several queues."},
).register()


@bp.context_processor
def _form_parts():
    """What the queue form's template lays out: the weekdays and the automatic messages, in order."""
    return {"weekdays": WEEKDAYS, "message_kinds": MESSAGE_KINDS}
