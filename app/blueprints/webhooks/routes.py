from flask import Response, abort, current_app, jsonify, request

from app.blueprints._shared import public_base_url, request_url
from app.blueprints.media.files import send_stored
from app.blueprints.webhooks import bp
from app.providers import WebhookRequest
from app.services.attachments import media, media_links
from app.services.channel import webhooks
from app.services.errors import NotFound


def _failure(exc):
    return jsonify(error={"code": exc.code, "message": exc.reason}), exc.status


def _signed_url():
    """The URL as the provider called it: Twilio signs it, and behind a proxy only PARLEY_PUBLIC_URL knows it."""
    public = current_app.config.get("PARLEY_PUBLIC_URL")
    return public.rstrip("/") + request.full_path.rstrip("?") if public else request_url()


@bp.route("/whatsapp/<webhook_key>", methods=["GET", "POST"])
def whatsapp(webhook_key):
    try:
        account = webhooks.account_for_key(webhook_key)
        limit = webhooks.body_limit(account)
        if (request.content_length or 0) > limit:
            raise webhooks.too_large(account)
        request.max_content_length = limit  # a body without Content-Length stops at the limit too
        body = request.get_data(cache=True)  # the raw bytes, before any parsing: signatures cover them
        req = WebhookRequest.from_http(request.method, _signed_url(), request.headers, body)
        reply = webhooks.handle(account, req, public_base_url())
    except webhooks.WebhookFailure as exc:
        return _failure(exc)
    if reply.mimetype == "application/json":
        return jsonify(reply.body), reply.status
    return Response(reply.body, status=reply.status, mimetype=reply.mimetype)


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
