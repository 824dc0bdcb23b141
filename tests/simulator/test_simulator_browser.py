"""The simulator in Chromium: a customer of the demo sandbox account sends a text and an image; both are
stored, the image is fetched by the real worker, and both are visible through the REST API and /media.
An agent's reply then shows up on the simulated phone, which acknowledges it until the ticks are blue."""

from app.db import get_db
from app.services import demo, outbound, routing, users
from tests.media.support import PNG
from tests.support.browser import screenshot, sign_in_page
from tests.webhooks.support import send_now

PHONE = "+15550004444"


def test_a_customer_sends_text_and_image_through_the_simulator(new_page):
    demo.seed_demo()
    page = new_page()
    sign_in_page(page, "admin@parley.example", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/**")
    page.goto("/simulator/")
    page.fill("[data-testid=sim-phone]", PHONE)
    page.dispatch_event("[data-testid=sim-phone]", "change")
    page.fill("[data-testid=sim-name]", "Robin Buyer")
    page.fill("[data-testid=sim-text]", "Hello, is my order on its way?")
    page.click("[data-testid=sim-send]")
    page.wait_for_selector("[data-testid=sim-customer-message] >> text=Hello, is my order on its way?")
    page.set_input_files("[data-testid=sim-file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    page.wait_for_selector("[data-testid=sim-customer-message] img.sim-image")
    assert page.text_content("[data-testid=sim-error]") == ""

    account = get_db().accounts.find_one({"name": demo.DEMO_ACCOUNT})
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    assert interaction["contact"]["phone"] == PHONE
    text, image = interaction["messages"]
    assert text["text"] == "Hello, is my order on its way?"
    assert image["kind"] == "image" and image["media"]["state"] == "ready" and "url" not in image["media"]

    listed = page.request.get(f"/api/v1/interactions?account_id={account['_id']}").json()["data"]
    assert [row["id"] for row in listed] == [str(interaction["_id"])]
    detail = page.request.get(f"/api/v1/interactions/{interaction['_id']}").json()
    kinds = {m["kind"]: m for m in detail["messages"]}
    assert kinds["text"]["text"] == "Hello, is my order on its way?"
    file_id = kinds["image"]["media"]["file_id"]
    served = page.request.get(f"/media/{file_id}")
    assert served.status == 200 and served.headers["content-type"] == "image/png" and served.body() == PNG

    agent = users.find_by_email("agent1@parley.example")
    routing.accept(agent, interaction["_id"])
    reply, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Yes, it arrives tomorrow."})
    send_now(interaction["_id"], reply["id"])
    page.wait_for_selector("[data-testid=sim-agent-message] >> text=Yes, it arrives tomorrow.")
    page.wait_for_selector("[data-testid=sim-agent-message] [data-testid=sim-tick][data-status=read]")
    stored = get_db().interactions.find_one({"_id": interaction["_id"]}, {"messages": {"$elemMatch": {"id": reply["id"]}}})
    assert stored["messages"][0]["status"] == "read", "the simulated phone acknowledged through the webhook"
    screenshot(page, "simulator-conversation")
