"""Routing rounds (app/services/routing/dispatcher.py): asked for when something changes who may be
offered what, and every few seconds for offers whose time ran out and agents gone past their grace."""

from flask import current_app

from app.services.routing import dispatcher
from workers.context import job


@job
def route(reasons: list | None = None):
    """`reasons`: what asked for it (the requests of one batch, gathered); a round serves them all."""
    return {"offers": dispatcher.route()}


@job
def tick():
    return dispatcher.tick(current_app.config["PARLEY_PRESENCE_GRACE_SECONDS"])
