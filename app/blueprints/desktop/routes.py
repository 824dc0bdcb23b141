from flask import render_template
from flask_login import current_user

from app.blueprints.desktop import bp
from app.blueprints.desktop.context import desktop_data


@bp.route("/")
def index():
    return render_template("desktop/index.html", desktop=desktop_data(current_user.doc))
