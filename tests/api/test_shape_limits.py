"""One definition per input: the OpenAPI document publishes exactly the limits the services
enforce (a text one character over its documented maxLength is refused, naming the limit, and one
at it is not refused for its length), and every form takes the same limits from the shapes."""

import pytest
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from app.blueprints.accounts.forms import AccountForm
from app.blueprints.agents.forms import AgentForm
from app.blueprints.canned_answers.forms import CannedAnswerForm
from app.blueprints.contact_lists.forms import ContactListForm
from app.blueprints.contacts.forms import ContactForm
from app.blueprints.dispositions.forms import DispositionForm
from app.blueprints.profile.forms import TokenForm
from app.blueprints.queues.forms import QueueForm
from app.blueprints.tags.forms import TagForm
from app.blueprints.templates.forms import TemplateForm
from app.domain import shapes
from app.domain.fields import limit
from tests.api.test_openapi_agreement import CREATE


def input_schema(document, name):
    ref = document["paths"][f"/api/v1/{name}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_documented_text_limit_is_the_one_the_service_enforces(api):
    document = api.get("/openapi.json").get_json()
    made, checked = {}, 0
    for name, body in CREATE.items():
        body = {k: (made[v[1:-1]] if isinstance(v, str) and v[1:-1] in made else v) for k, v in body.items()}
        for field, schema in input_schema(document, name)["properties"].items():
            if schema.get("type") != "string" or "maxLength" not in schema:
                continue
            most = schema["maxLength"]
            over = api.post(f"/{name}", json={**body, field: "a" * (most + 1)})
            assert over.status_code == 422, (name, field, over.get_json())
            assert over.get_json()["error"]["fields"][field] == f"At most {most} characters.", (name, field)
            at = api.post(f"/{name}", json={**body, field: "a" * most})
            assert "At most" not in (at.get_json() or {}).get("error", {}).get("fields", {}).get(field, ""), (name, field)
            if at.status_code == 201:
                assert api.delete(f"/{name}/{at.get_json()['id']}").status_code == 204
            checked += 1
        created = api.post(f"/{name}", json=body)
        assert created.status_code == 201, (name, created.get_json())
        made[name] = created.get_json()["id"]
    assert checked >= 25


FORMS = [
    (AccountForm, shapes.Account),
    (AgentForm, shapes.User),
    (CannedAnswerForm, shapes.CannedAnswer),
    (ContactListForm, shapes.ContactList),
    (ContactForm, shapes.ContactChange),
    (DispositionForm, shapes.Disposition),
    (TagForm, shapes.Tag),
    (TokenForm, shapes.Token),
    (QueueForm, shapes.Queue),
    (TemplateForm, shapes.TemplateChange),
]


@pytest.mark.parametrize(("form", "shape"), FORMS, ids=[f.__name__ for f, _ in FORMS])
def test_forms_take_their_limits_from_the_shapes(form, shape):
    compared = 0
    for name, info in shape.model_fields.items():
        field = getattr(form, name, None)
        if not isinstance(field, UnboundField) or info.annotation is not str:
            continue
        lengths = [v.max for v in field.kwargs.get("validators", []) if isinstance(v, Length)]
        assert lengths == [limit(shape, name)], (form.__name__, name, lengths)
        compared += 1
    assert compared >= 1
