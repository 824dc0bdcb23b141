"""What providers call: the WhatsApp webhook of each account and the signed links to outbound media.

Both authenticate themselves (webhook signatures, signed link tokens), so app/web/access.py lets this
blueprint through without a session; CSRF does not apply to provider calls. The blueprint also
carries the admins' "needs re-authorization" banner, which is about the same provider accounts.
"""

from flask import Blueprint

from app.extensions import csrf
from app.services.attachments import media_links

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)


@bp.record_once
def _configure_links(state):
    media_links.configure(state.app.config["SECRET_KEY"], state.app.config.get("PARLEY_PUBLIC_URL"))


from app.blueprints.webhooks import banner, routes  # noqa: E402,F401
