from app.blueprints._crud import Section
from app.blueprints.pause_reasons import bp
from app.blueprints.pause_reasons.forms import PauseReasonForm
from app.services.setup.labels import DEFAULT_PAUSE_REASONS, pause_reasons

Section(
    bp, "pause reason", "pause reasons", PauseReasonForm, pause_reasons,
    columns=[("Name", lambda d: d["name"]), ("Description", lambda d: d.get("description", ""))],
    help={"name": f"Agents pick it when they pause. Until you add one, they choose from: {', '.join(DEFAULT_PAUSE_REASONS)}."},
).register()
