from flask import Response, abort, current_app, request

from app.blueprints._shared import public_base_url
from app.blueprints.media.files import send_stored
from app.blueprints.webhooks import bp
from app.services.attachments import media, media_links
from app.services.errors import NotFound
from app.web.webhook_delivery import deliver, signed_url


@bp.route("/whatsapp/<webhook_key>", methods=["GET", "POST"])
def whatsapp(webhook_key):
    """Handshakes, and deliveries while a request-wide rate limit is set (others: app/web/webhook_delivery.py)."""
    public = current_app.config.get("PARLEY_PUBLIC_URL")
    status, body, mimetype = deliver(request, webhook_key, public_base_url(), signed_url(request, public))
    return Response(body, status=status, mimetype=mimetype)


@bp.route("/media/<token>")
def public_media(token):
    """A provider fetching an agent's attachment through a signed, expiring link."""
    file_id = media_links.file_id_from(token)
    if file_id is None:
        abort(404)
    try:
        grid_out = media.stored_file(file_id)
    except NotFound:
        abort(404)
    return send_stored(grid_out, max_age=300)
