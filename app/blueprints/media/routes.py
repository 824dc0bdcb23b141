from flask import jsonify, request
from flask_login import current_user

from app.blueprints.media import bp
from app.blueprints.media.files import send_stored
from app.services.attachments import media, media_uploads
from app.services.errors import ValidationFailed


@bp.route("/<file_id>")
def download(file_id):
    return send_stored(media.visible_file(current_user.doc, file_id))


@bp.route("/<interaction_id>/<message_id>/retry", methods=["POST"])
def retry(interaction_id, message_id):
    return jsonify(media=media.retry(current_user.doc, interaction_id, message_id)), 202


@bp.route("/upload", methods=["POST"])
def upload():
    files = request.files.getlist("file")
    if len(files) != 1:
        raise ValidationFailed("Attach exactly one file.", {"file": "One file per message."})
    upload = files[0]
    stored = media_uploads.store_upload(current_user.doc, request.form.get("interaction_id", ""), request.form.get("kind", ""),
                                        upload.read(), upload.mimetype, upload.filename)
    return jsonify(stored), 201
