"""A simulator session driven through the test client: its numbers, signed bodies posted to the webhook."""

from tests.support.builders import csrf_token
from tests.support.jobs import run_inbound


class Session:
    """One browser session of the simulator on one sandbox account, as its page would drive it."""

    def __init__(self, client, account):
        self.client, self.account = client, account
        self.token = csrf_token(client, "/simulator/")
        self.base = f"/simulator/{account['_id']}"

    @property
    def numbers(self):
        with self.client.session_transaction() as session:
            return session["simulator_numbers"]["phones"]

    @property
    def phone(self):
        return self.numbers[0]

    def post(self, path, payload):
        return self.client.post(self.base + path, json=payload, headers={"X-CSRFToken": self.token})

    def new_number(self):
        return self.client.post("/simulator/numbers", json={}, headers={"X-CSRFToken": self.token})

    def deliver(self, response):
        assert response.status_code == 200, response.get_json()
        signed = response.get_json()
        delivered = self.client.post(signed["url"], data=signed["body"], headers=signed["headers"])
        assert delivered.status_code == 200, delivered.get_json()
        assert delivered.get_json()["counts"] == {"accepted": 1}
        return run_inbound(self.client.application)  # what the workers made of it: {"stored": 1}, …

    def say(self, kind="text", phone=None, **fields):
        return self.deliver(self.post("/message", {"phone": phone or self.phone, "name": "Casey", "kind": kind, **fields}))

    def ack(self, provider_message_id, status, phone=None):
        return self.post("/ack", {"phone": phone or self.phone, "message_id": provider_message_id, "status": status})

    def conversation(self, phone=None):
        return self.client.get(f"{self.base}/conversation", query_string={"phone": phone or self.phone})

    def jump(self, phone=None):
        return self.post("/jump", {"phone": phone or self.phone})
