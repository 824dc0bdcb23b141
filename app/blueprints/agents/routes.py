from types import SimpleNamespace

from flask_login import current_user

from app.blueprints._crud import Section
from app.blueprints.agents import bp
from app.blueprints.agents.forms import AgentForm
from app.services.people import agents
from app.services.routing import presence


def _list_with_presence(**filters):
    """A page of users, each with its presence ("Now"), read for the whole page in one round trip."""
    page = agents.list_users(**filters)
    now = presence.states(user["_id"] for user in page.items)
    for user in page.items:
        user["presence"] = now[str(user["_id"])]
    return page


SERVICE = SimpleNamespace(
    list=_list_with_presence, get=agents.get_user, create=agents.create_user,
    update=lambda user_id, data: agents.update_user(user_id, data, actor_id=current_user.id),
    delete=lambda user_id: agents.delete_user(user_id, actor_id=current_user.id),
)

Section(
    bp, "user", "agents and admins", AgentForm, SERVICE,
    columns=[("Name", lambda d: d["name"]), ("Email", lambda d: d["email"]), ("Role", lambda d: d["role"]),
             ("Status", lambda d: "active" if d.get("active", True) else "deactivated"),
             ("Now", lambda d: presence.describe(d["presence"]))],
    to_form=lambda d: {k: v for k, v in d.items() if k != "password_hash"},
    help={"password": "At least 10 characters. On an existing user, leave empty to keep the current password.",
          "active": "Deactivating signs the user out everywhere at once.",
          "max_open": "Empty: the limit of their queue (if it has one). An agent at the limit gets no new offers."},
).register()
