"""'Sync from Meta' against a real HTTP server on 127.0.0.1 standing in for the Graph API."""

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.db import get_db
from app.services.channel import accounts, template_sync
from app.services.errors import ServiceError
from tools.devstack import free_port

TOKEN = "EAAG-sync-token"
PAGE_ONE = [
    {"id": "1", "name": "order_ready", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
     "components": [{"type": "BODY", "text": "Order {{1}} is ready"}]},
    {"id": "2", "name": "draft_promo", "language": "en_US", "status": "PENDING", "category": "MARKETING",
     "components": [{"type": "BODY", "text": "Soon"}]},
]
PAGE_TWO = [
    {"id": "3", "name": "welcome", "language": "it", "status": "APPROVED", "category": "MARKETING",
     "components": [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Ciao"},
                    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Sì"}]}]},
]


class FakeGraph:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v23.0"
        self.requests = []
        self.server = make_server("127.0.0.1", self.port, self.wsgi)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.path, request.headers.get("Authorization")))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            body = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
            return Response(json.dumps(body), 401, content_type="application/json")(environ, start_response)
        if request.path != "/v23.0/2077/message_templates":
            return Response("{}", 404, content_type="application/json")(environ, start_response)
        if request.args.get("after") == "page2":
            body = {"data": PAGE_TWO, "paging": {"cursors": {"before": "x"}}}
        else:
            body = {"data": PAGE_ONE, "paging": {"next": f"{self.url}/2077/message_templates?after=page2&limit=100"}}
        return Response(json.dumps(body), content_type="application/json")(environ, start_response)

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def graph():
    with FakeGraph() as server:
        yield server


def meta_account(graph, token=TOKEN):
    return accounts.create({"name": "Meta", "provider": "meta", "phone": "+15550004000", "api_base": graph.url,
                            "credentials": {"phone_number_id": "1066", "waba_id": "2077", "access_token": token,
                                            "app_secret": "s3cret"}})


def test_sync_imports_approved_templates_across_pages(app, graph):
    account = meta_account(graph)
    assert template_sync.sync_from_meta(account["_id"]) == {"created": 2, "updated": 0}
    stored = {t["name"]: t for t in get_db().templates.find({"account_id": account["_id"]})}
    assert set(stored) == {"order_ready", "welcome"}
    assert stored["welcome"]["category"] == "marketing"
    assert stored["welcome"]["components"][2]["buttons"][0]["text"] == "Sì"
    assert [path for path, _ in graph.requests] == ["/v23.0/2077/message_templates"] * 2

    get_db().templates.update_one({"name": "welcome"}, {"$set": {"available_for_agents": True}})
    assert template_sync.sync_from_meta(account["_id"]) == {"created": 0, "updated": 2}
    assert get_db().templates.find_one({"name": "welcome"})["available_for_agents"] is True


def test_sync_reports_a_refused_token(app, graph):
    account = meta_account(graph, token="EAAG-expired")
    with pytest.raises(ServiceError) as caught:
        template_sync.sync_from_meta(account["_id"])
    assert caught.value.status == 502
    assert get_db().templates.count_documents({}) == 0
