from app.blueprints._crud import Section
from app.blueprints.dispositions import bp
from app.blueprints.dispositions.forms import DispositionForm
from app.services.setup.labels import dispositions

Section(bp, "disposition", "dispositions", DispositionForm, dispositions,
        columns=[("Name", lambda d: d["name"]), ("Description", lambda d: d.get("description", ""))]).register()
