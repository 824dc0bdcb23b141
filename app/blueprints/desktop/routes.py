from flask import render_template

from app.blueprints.desktop import bp


@bp.route("/")
def index():
    return render_template("desktop/index.html")
