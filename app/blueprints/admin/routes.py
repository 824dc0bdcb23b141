from flask import render_template

from app.blueprints.admin import bp
from app.services.reporting.overview import admin_overview


@bp.route("/")
def index():
    return render_template("admin/index.html", overview=admin_overview())
