"""The navigation menu: sections appear as their blueprints are registered."""

from flask import current_app, request
from flask_login import current_user

# (label, endpoint, admin only, icon)
SECTIONS = [
    ("Overview", "admin.index", True, "grid"),
    ("Desktop", "desktop.index", False, "chat"),
    ("Interactions", "interactions.index", False, "list"),
    ("Dashboard", "dashboard.index", True, "chart"),
    ("Campaigns", "campaigns.index", True, "send"),
    ("Accounts", "accounts.index", True, "phone"),
    ("Queues", "queues.index", True, "users"),
    ("Agents", "agents.index", True, "user"),
    ("Templates", "templates.index", True, "file"),
    ("Canned answers", "canned_answers.index", True, "quote"),
    ("Dispositions", "dispositions.index", True, "check"),
    ("Tags", "tags.index", True, "tag"),
    ("Pause reasons", "pause_reasons.index", True, "clock"),
    ("Contacts", "contacts.index", False, "book"),
    ("Simulator", "simulator.index", False, "phone"),
    ("API", "api_docs.index", False, "code"),
]


def nav_items():
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    items = []
    for label, endpoint, admin, icon in SECTIONS:
        if endpoint in endpoints and (current_user.is_admin or not admin):
            items.append(
                {"label": label, "endpoint": endpoint, "icon": icon, "active": request.blueprint == endpoint.split(".")[0]}
            )
    return items


def init_app(app):
    app.context_processor(lambda: {"nav_items": nav_items()})
