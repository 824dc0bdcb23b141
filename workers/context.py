"""The app a job runs in: jobs need the database, Redis and Socket.IO wired as the web app has them."""

_state = {"app": None}


def bind(app):
    """Use `app` for jobs run in this process (the embedded worker binds the web app)."""
    _state["app"] = app


def app_context():
    if _state["app"] is None:
        from app import create_app

        _state["app"] = create_app()
    return _state["app"].app_context()
