from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm, LogoutForm
from app.extensions import limiter
from app.login import SessionUser
from app.services import sessions, users


def _failed_sign_in(response):
    """Only failed attempts count towards the throttles."""
    return g.get("login_failed", False)


def _account_key():
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _safe_next(target):
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return None


def home_for(user):
    return url_for("admin.index") if user.is_admin else url_for("desktop.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], methods=["POST"], key_func=_account_key, deduct_when=_failed_sign_in
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        doc = users.authenticate(form.email.data, form.password.data)
        if doc is not None:
            user = SessionUser(doc)
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        g.login_failed = True
        form.password.errors.append("Wrong email or password.")
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        user_id = current_user.id
        logout_user()
        # Every session of the user ends, not only this cookie: a copy saved elsewhere stops working too.
        sessions.end_all(user_id)
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
