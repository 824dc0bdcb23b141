"""Blueprint registry: one package per area."""

from importlib import import_module

# Each module exposes `bp`; order does not matter. Later areas add their names here.
BLUEPRINTS = ["auth", "main", "admin", "desktop"]
# Admin configuration and its REST API.
BLUEPRINTS += ["api", "api_docs", "profile", "accounts", "queues", "agents", "templates", "canned_answers"]
BLUEPRINTS += ["dispositions", "tags", "pause_reasons", "contacts", "contact_lists"]

# Providers and webhooks: provider-facing endpoints, attachments, the customer simulator.
BLUEPRINTS += ["webhooks", "media", "simulator"]


def register_blueprints(app):
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"app.blueprints.{name}").bp)

# Interactions management: the list with filters, export and reopen; the supervisors' dashboard.
BLUEPRINTS += ["interactions", "dashboard"]
# Outbound campaigns.
BLUEPRINTS += ["campaigns"]
# Liveness, readiness and metrics for operators' tools.
BLUEPRINTS += ["operations"]
