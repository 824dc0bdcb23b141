"""'Sync from Meta': import a Meta account's approved templates from its WABA.

The HTTP call (GET {api_base}/{waba_id}/message_templates, Bearer token, paging, explicit
timeouts) is the Meta adapter's `fetch_templates`; this module maps what it returns onto
stored templates, keeping the admin's own flags (available for agents, recontact).
"""

from app.db import get_db
from app.domain.shapes import CATEGORIES
from app.providers.errors import ProviderError
from app.providers.registry import get_provider
from app.services.channel import accounts, provider_access
from app.services.errors import ServiceError, ValidationFailed
from app.services.setup.records import now


class SyncFailed(ServiceError):
    status = 502
    code = "provider_error"


def sync_from_meta(account_id):
    """Import approved templates; return {"created": n, "updated": n}."""
    account = accounts.get_account(account_id)
    if account["provider"] != "meta":
        raise ValidationFailed("Only Meta accounts can sync templates.", {"provider": "Not a Meta account."})
    try:
        fetched = get_provider(provider_access.provider_config(account)).fetch_templates()
    except ProviderError as exc:
        raise SyncFailed(f"Meta refused the template list: {exc.title}. {exc.detail or ''}".strip()) from None
    created = updated = 0
    for item in fetched:
        name, language = item.get("name"), item.get("language")
        if not (isinstance(name, str) and isinstance(language, str) and isinstance(item.get("components"), list)):
            continue
        category = str(item.get("category") or "").lower()
        fields = {
            "components": item["components"],
            "category": category if category in CATEGORIES else "utility",
            "status": "APPROVED",
            "provider_template_id": item.get("id"),
            "updated_at": now(),
        }
        result = get_db().templates.update_one(
            {"account_id": account["_id"], "name": name, "language": language},
            {"$set": fields, "$setOnInsert": {"available_for_agents": False, "recontact": False, "created_at": now()}},
            upsert=True,
        )
        if result.upserted_id is not None:
            created += 1
        else:
            updated += 1
    return {"created": created, "updated": updated}
