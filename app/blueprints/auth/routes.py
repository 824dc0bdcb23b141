import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm, LogoutForm
from app.extensions import limiter
from app.services.people import sessions, sign_in_delays, users
from app.web.login import SessionUser


def _failed_sign_in(response):
    """Only failed attempts count towards the per-address limit."""
    return g.get("login_failed", False)


def _delay_policy():
    config = current_app.config
    return sign_in_delays.DelayPolicy(config["LOGIN_DELAY_AFTER"], config["LOGIN_DELAY_FIRST"], config["LOGIN_DELAY_MAX"])


def _too_many_attempts(form, seconds):
    """The sign-in form again, saying how long to wait, with a 429 and Retry-After."""
    form.password.errors = [*form.password.errors, sign_in_delays.describe_wait(seconds)]
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _address_limit_reached(request_limit):
    return _too_many_attempts(LoginForm(), max(1, int(request_limit.reset_at - time.time())))


def _safe_next(target):
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return None


def home_for(user):
    return url_for("admin.index") if user.is_admin else url_for("desktop.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_sign_in,
    on_breach=_address_limit_reached,
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr
        wait = sign_in_delays.wait_seconds(form.email.data, address)
        if wait:
            return _too_many_attempts(form, wait)
        doc = users.authenticate(form.email.data, form.password.data)
        if doc is not None:
            sign_in_delays.clear(form.email.data, address)
            user = SessionUser(doc)
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        g.login_failed = True
        form.password.errors.append("Wrong email or password.")
        wait = sign_in_delays.record_failure(form.email.data, address, _delay_policy())
        if wait:
            return _too_many_attempts(form, wait)
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
