"""Counts for the admin home page."""

from app.db import get_db
from app.realtime.push import online_user_ids


def admin_overview():
    db = get_db()
    return {
        "accounts": db.accounts.count_documents({}),
        "queues": db.queues.count_documents({}),
        "agents": db.users.count_documents({"role": "agent"}),
        "online": len(online_user_ids()),
    }
