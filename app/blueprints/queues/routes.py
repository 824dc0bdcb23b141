from types import SimpleNamespace

from app.blueprints._crud import Section, form_data
from app.blueprints._shared import flatten, nest, options
from app.blueprints.queues import bp
from app.blueprints.queues.forms import QueueForm
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
    to_form=lambda d: flatten({**d, "agent_ids": [str(i) for i in d.get("agent_ids", [])]}, ("routing",)),
    from_form=lambda form: _with_priority(nest(form_data(form), ("routing",))),
    fieldsets=(("Routing", "routing", "Who is offered each new conversation, and how many each agent holds at once."),),
    help={
        "agent_ids": "Hold Ctrl (⌘ on a Mac) to pick several. An agent may be in several queues.",
        "routing_offer_timeout_seconds": "One-at-a-time strategies: after this the next agent is offered it.",
        "routing_priority": "0 to 10. An agent in several queues gets the highest priority's waiting conversations first.",
        "routing_max_open_per_agent": "Empty: no limit. An agent at the limit gets no new offers; an agent's own limit wins.",
        "routing_first_response_minutes": "The service-level target the dashboard measures against (empty: 1 minute).",
    },
).register()


def _with_priority(data):
    """An emptied priority field means the lowest, 0."""
    routing = data.get("routing") or {}
    if routing.get("priority") is None:
        routing["priority"] = 0
    return data
