"""Accounts whose provider refused their credentials (HTTP 401): shown to admins, released when fixed.

The send job marks an account ``needs_reauth`` and holds its messages (services/conversations/delivery.py);
admins see a banner on every page until someone saves new credentials, which makes the account
active again and sends what was held.
"""

from app import jobs
from app.db import get_db
from app.services import config_cache

BANNER_LIMIT = 5


def accounts_needing_reauth(limit=BANNER_LIMIT):
    """Up to ``limit`` accounts waiting for new credentials, by name (served by the status index)."""
    return list(get_db().accounts.find({"status": "needs_reauth"}, {"name": 1}).sort("name", 1).limit(limit))


def credentials_renewed(account_id):
    """New credentials were saved: the account is active again at once, and a job sends what was
    held (not the admin's request: it may be many messages). Returns whether the account changed."""
    result = get_db().accounts.update_one(
        {"_id": account_id, "status": "needs_reauth"}, {"$set": {"status": "active"}, "$unset": {"auth_error": ""}}
    )
    if not result.modified_count:
        return False
    config_cache.changed()
    jobs.enqueue(jobs.RELEASE_HELD, account_id=str(account_id))
    return True
