"""The re-authorization banner's data for every page an admin sees (one indexed, limited query)."""

from flask_login import current_user

from app.blueprints.webhooks import bp
from app.services.channel import reauth


@bp.app_context_processor
def reauth_banner():
    if not (current_user and current_user.is_authenticated and current_user.is_admin):
        return {"reauth_accounts": []}
    return {"reauth_accounts": reauth.accounts_needing_reauth()}
