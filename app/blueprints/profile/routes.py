from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.blueprints._crud import ConfirmForm
from app.blueprints.profile import bp
from app.blueprints.profile.forms import TokenForm
from app.services import api_tokens


def _page(form, new_token=None):
    return render_template("profile/index.html", form=form, new_token=new_token, revoke_form=ConfirmForm(),
                           tokens=api_tokens.tokens_of(current_user.id))


@bp.route("/")
def index():
    return _page(TokenForm())


@bp.route("/tokens", methods=["POST"])
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        token, _ = api_tokens.create_token(current_user.id, form.name.data)
        return _page(TokenForm(formdata=None), new_token=token)  # shown once, never stored in the session
    return _page(form)


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
def revoke_token(token_id):
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke(current_user.id, token_id)
        flash("Token revoked: it no longer works.", "success")
    return redirect(url_for(".index"))
