"""Signed, expiring public links to stored attachments, for providers that fetch media by URL.

Twilio, Sinch and Kaleyra cannot take an uploaded file: they download it from a URL we give.
The link carries the file id signed with the app's SECRET_KEY (itsdangerous), so it cannot be
guessed or altered, and it stops working after ``LINK_MAX_AGE``. It points at the public route
``/webhooks/media/<token>`` (served beside the webhooks: both are called by providers).

The base URL is PARLEY_PUBLIC_URL when set. Otherwise it is the address at which a provider last
reached our webhook with a valid signature (kept in Redis, so workers on other machines know
it): whatever URL a provider can call us on, it can fetch media from.
"""

import logging
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import queues

log = logging.getLogger(__name__)

LINK_MAX_AGE = 24 * 3600
PUBLIC_PATH = "/webhooks/media/"
_SALT = "parley-public-media-link"
_BASE_URL_KEY = "parley:public_base_url"
FALLBACK_BASE_URL = "http://localhost:5000"
REWRITE_SECONDS = 60  # written again at most this often (a Redis that lost it has it back soon)

_state = {"secret_key": None, "public_url": None, "remembered": None}


def configure(secret_key, public_url=None):
    _state.update(secret_key=secret_key, public_url=(public_url or "").rstrip("/") or None, remembered=None)


def _serializer():
    if not _state["secret_key"]:
        raise RuntimeError("media links are not configured: create the app first")
    return URLSafeTimedSerializer(_state["secret_key"], salt=_SALT)


def remember_base_url(base_url):
    """Called after a verified webhook: this address reaches us from the provider's side."""
    if _state["public_url"] or not base_url:
        return
    base_url = base_url.rstrip("/")
    now = time.monotonic()
    if _state["remembered"] and _state["remembered"][0] == base_url and now - _state["remembered"][1] < REWRITE_SECONDS:
        return  # written by this process a moment ago: a webhook costs no Redis call for it
    try:
        queues.get_redis().set(_BASE_URL_KEY, base_url)
        _state["remembered"] = (base_url, now)
    except Exception:  # a link base is a convenience; never fail a webhook for it
        log.warning("could not remember the public base URL", exc_info=True)


def base_url():
    if _state["public_url"]:
        return _state["public_url"]
    try:
        remembered = queues.get_redis().get(_BASE_URL_KEY)
    except Exception:
        remembered = None
    if remembered:
        return remembered.decode()
    log.warning("PARLEY_PUBLIC_URL is not set and no webhook has arrived yet: media links use %s", FALLBACK_BASE_URL)
    return FALLBACK_BASE_URL


def public_link(file_id):
    """A URL a provider can download ``file_id`` from for the next 24 hours."""
    return base_url() + PUBLIC_PATH + _serializer().dumps(str(file_id))


def file_id_from(token, max_age=LINK_MAX_AGE):
    """The file id a token names, or None when it is forged, altered or expired."""
    try:
        value = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    return value if isinstance(value, str) else None
