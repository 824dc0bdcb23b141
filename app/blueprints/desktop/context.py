"""What the desktop page needs to know up front, as one JSON document embedded in the page.

Agents may not read the admin collections (accounts, users, queues), yet the desktop must know
each account's provider abilities and attachment limits (to refuse a file before uploading it)
and whom an interaction can be transferred to. This gathers exactly that, through the services.
"""

from app.domain.interactive import LIMITS as INTERACTIVE_LIMITS
from app.providers.media_limits import REFUSED_EXTENSIONS, WHATSAPP_RULES
from app.services.channel import accounts
from app.services.channel.account_fields import media_limit
from app.services.channel.provider_access import capabilities
from app.services.people import agents
from app.services.setup import queue_admin


def _account(doc):
    settings = {**accounts.default_settings(), **(doc.get("settings") or {})}
    allowed = list(settings["allowed_attachment_types"])
    caps = sorted(capabilities(doc))
    return {
        "id": str(doc["_id"]),
        "name": doc["name"],
        "phone": doc["phone"],
        "provider": doc["provider"],
        "capabilities": caps,
        # The product offers quote replies on Meta accounts (and the sandbox that imitates it) only.
        "quote_reply": doc["provider"] in ("meta", "sandbox") and "quote_reply" in caps,
        "allow_transfer": bool(settings["allow_transfer"]),
        "has_recontact": bool(settings["recontact_template_id"]),
        "max_attachment_bytes": settings["max_attachment_bytes"],
        "allowed_attachment_types": allowed,
        "limits": {kind: media_limit(doc["provider"], kind) for kind in allowed},
    }


def desktop_data(user):
    """The JSON the page boots from: who is signed in, accounts, transfer targets, media rules."""
    return {
        "user": {"id": str(user["_id"]), "name": user["name"], "email": user["email"], "role": user["role"]},
        "accounts": [_account(doc) for doc in accounts.visible_to(user)],
        "agents": [{"id": str(a["_id"]), "name": a["name"]} for a in agents.active_agents()],
        "queues": [{"id": str(q["_id"]), "name": q["name"]} for q in queue_admin.all_queues()],
        "media_rules": {
            kind: {"mime_types": sorted(rule.mime_types) if rule.mime_types else None, "max_bytes": rule.max_bytes}
            for kind, rule in WHATSAPP_RULES.items()
        },
        "refused_extensions": sorted(REFUSED_EXTENSIONS),
        "interactive_limits": INTERACTIVE_LIMITS,
    }
