from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from app.blueprints._crud import ConfirmForm
from app.blueprints._shared import apply_errors
from app.blueprints.profile import bp
from app.blueprints.profile.forms import PasswordForm, TokenForm
from app.extensions import limiter
from app.services.errors import ValidationFailed
from app.services.people import api_tokens, sessions
from app.web.login import SessionUser


def _page(form=None, password_form=None, new_token=None):
    return render_template(
        "profile/index.html",
        form=form or TokenForm(),
        password_form=password_form or PasswordForm(),
        new_token=new_token,
        revoke_form=ConfirmForm(),
        tokens=api_tokens.tokens_of(current_user.id),
        token_status=api_tokens.status,
        token_valid_until=api_tokens.valid_until,
    )


@bp.route("/")
def index():
    return _page()


@bp.route("/tokens", methods=["POST"])
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, _ = api_tokens.create_token(current_user.id, form.name.data, form.scope.data, form.valid_until.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
            return _page(form)
        return _page(TokenForm(formdata=None), new_token=token)  # shown once, never stored in the session
    return _page(form)


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
def revoke_token(token_id):
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke(current_user.id, token_id)
        flash("Token revoked: it no longer works.", "success")
    return redirect(url_for(".index"))


def _wrong_current_password(response):
    return g.get("wrong_current_password", False)


@bp.route("/password", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=lambda: f"password-change:{current_user.id}",
    deduct_when=_wrong_current_password,
)
def change_password():
    """Guessing the current password from a borrowed session is throttled like sign-in."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            doc = sessions.change_own_password(
                current_user.id, form.current_password.data, form.new_password.data, form.confirm_password.data
            )
        except ValidationFailed as exc:
            g.wrong_current_password = "current_password" in exc.fields
            apply_errors(form, exc)
            return _page(password_form=form)
        # Every other sign-in has ended; this one goes on under the new session version.
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        login_user(SessionUser(doc), remember=remembered)
        flash("Password changed. You were signed out everywhere else, and your API tokens were revoked.", "success")
        return redirect(url_for(".index"))
    return _page(password_form=form)
