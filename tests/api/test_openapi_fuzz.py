"""Every operation of /api/v1/openapi.json, run by schemathesis against the app with an admin
token: requests it generates from the document (valid ones, then malformed ones) never get a 5xx,
every answer has a documented status, content type and body, and every timestamp in a JSON answer
carries its time zone. A bounded number of examples per operation keeps the run short."""

import re
import time
from datetime import datetime

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.db import get_db
from app.providers import sandbox
from tests.support.engine import make_queue, make_sandbox_account
from tests.webhooks.support import post_events

EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def zoneless(value, where="$"):
    """Where `value` holds an ISO 8601 date-time without a time zone."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in zoneless(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in zoneless(item, f"{where}[{n}]")]
    if isinstance(value, str) and TIMESTAMP.match(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return []
        return [] if moment.tzinfo else [f"{where}: {value}"]
    return []


def seed(client):
    """A queue, an account and a customer's conversation, so lists and items answer with real records."""
    account = make_sandbox_account(make_queue())
    assert post_events(client, account, sandbox.build_inbound("+447700900123", text="Hi", name="Maria")).status_code == 200
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    return {
        "interaction_id": str(interaction["_id"]),
        "/api/v1/accounts/{record_id}": str(account["_id"]),
        "/api/v1/queues/{record_id}": str(account["queue_id"]),
        "/api/v1/contacts/{record_id}": str(interaction["contact_id"]),
    }


def exercise(operation, mode, headers, known):
    fixed = {name: known[name] for name in ("interaction_id",) if f"{{{name}}}" in operation.path}
    if operation.path in known:
        fixed["record_id"] = known[operation.path]
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if "json" in response.headers.get("Content-Type", [""])[0]:
            assert zoneless(response.json()) == [], case.as_curl_command()

    run()


def test_every_operation_holds_to_the_document(app, client, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}
    known = seed(client)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    started = time.monotonic()
    for mode in EXAMPLES:
        for operation in operations:
            exercise(operation, mode, headers, known)
    elapsed = time.monotonic() - started
    print(f"{len(operations)} operations, {sum(EXAMPLES.values())} examples each at most, {elapsed:.1f} s")
    assert len(operations) >= 40
