from types import SimpleNamespace

from app.blueprints._crud import Section
from app.blueprints._shared import options
from app.blueprints.queues import bp
from app.blueprints.queues.forms import INACTIVITY_FIELDS, QueueForm, doc_to_form, form_to_data
from app.services.people import agents
from app.services.setup import queue_admin


def _choices(form):
    form.agent_ids.choices = options((a["_id"], f"{a['name']} <{a['email']}>") for a in agents.active_agents())


def _member_names(doc):
    names = {a["_id"]: a["name"] for a in agents.active_agents()}
    return ", ".join(names.get(i, "(inactive)") for i in doc.get("agent_ids", [])) or "—"


SERVICE = SimpleNamespace(list=queue_admin.list_queues, get=queue_admin.get_queue, create=queue_admin.create_queue,
                          update=queue_admin.update_queue, delete=queue_admin.delete_queue)

Section(
    bp, "queue", "queues", QueueForm, SERVICE,
    columns=[("Name", lambda d: d["name"]), ("Agents", _member_names), ("Description", lambda d: d.get("description", ""))],
    prepare=_choices,
    to_form=lambda d: doc_to_form(queue_admin.with_defaults(d)),
    from_form=form_to_data,
    help={
        "agent_ids": "Hold Ctrl (⌘ on a Mac) to pick several. An agent may be in several queues.",
        "inactivity_customer_idle_minutes": "Off by default (empty). Counts from the customer's last message, once an "
        "agent, the bot or the system wrote after it; then the interaction closes with the disposition Timeout.",
        "inactivity_nudge_text": "Optional: sent once when the time above is up (only inside the 24-hour window); the "
        "interaction then closes after the minutes below unless the customer writes. Empty: it closes at once.",
        "inactivity_close_after_nudge_minutes": "Used only with a nudge message.",
        "routing_first_response_minutes": "Off by default (empty). An assigned interaction whose customer has waited "
        "this long for an agent's answer is flagged to admins, who can return it to the queue.",
    },
    fieldsets=[("Inactivity", INACTIVITY_FIELDS)],
).register()
