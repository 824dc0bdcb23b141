from app.blueprints._crud import Section
from app.blueprints.tags import bp
from app.blueprints.tags.forms import TagForm
from app.services.setup.labels import tags

Section(bp, "tag", "tags", TagForm, tags,
        columns=[("Name", lambda d: d["name"]), ("Colour", lambda d: d.get("colour", "")),
                 ("Description", lambda d: d.get("description", ""))]).register()
