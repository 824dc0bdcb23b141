from flask import render_template

from app.blueprints._shared import public_base_url
from app.blueprints.api.openapi import build_document
from app.blueprints.api_docs import bp


@bp.route("/")
def index():
    return render_template("api_docs/index.html", doc=build_document(), base_url=public_base_url())
