from flask import redirect
from flask_login import current_user

from app.blueprints.auth.routes import home_for
from app.blueprints.main import bp


@bp.route("/")
def index():
    return redirect(home_for(current_user))
