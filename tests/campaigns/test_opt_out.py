"""A customer's STOP keeps their number out of later campaigns (until START), whichever list holds it."""

from app.db import get_db
from app.services.campaigns import opt_out, sender
from app.services.conversations import inbound
from tests.campaigns.test_sending import SEND_PATH, contacts, new_campaign, ok, recipients, setup  # noqa: F401 - the fixture
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.round_trips import counting

NUMBER = "+447700900901"


def says(text, n):
    """The customer writes to the business (on its sandbox number: the opt-out is the number's, whichever account)."""
    account = get_db().accounts.find_one({"provider": "sandbox"}) or make_sandbox_account(make_queue())
    return inbound.ingest(account, customer_says(account, NUMBER, text, message_id=f"wamid.OPT{n}"))


def test_stop_opts_the_number_out_of_later_campaigns_and_start_brings_it_back(setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": NUMBER})
    assert says("  Stop! ", 1) == {"stored": 1}, "the message is still a message the agent sees"
    assert get_db().contacts.find_one({"mobile": NUMBER})["opted_out"] is True
    contacts(setup["lists"][1], {"first_name": "Ana in another list", "mobile": NUMBER})  # added after the STOP
    first = new_campaign(setup)
    [skipped] = recipients(first).values()
    assert (skipped["state"], skipped["reason"]) == ("skipped", "Opted out of marketing messages.")

    says("start", 2)
    assert get_db().opt_outs.count_documents({}) == 0
    assert all("opted_out" not in contact for contact in get_db().contacts.find({"mobile": NUMBER}))
    assert recipients(new_campaign(setup))[NUMBER]["state"] == "pending"


def test_only_a_whole_message_of_the_word_opts_out_in_any_configured_language(setup):  # noqa: F811
    assert [opt_out.wish(text) for text in ("please don't stop", "STOP", "Baja", "arrêt", "unstop", "stopping")] == [
        None, "out", "out", "out", "in", None]
    opt_out.configure(["ALTO"], ["SIGA"])
    try:
        assert (opt_out.wish("stop"), opt_out.wish("alto"), opt_out.wish("Siga")) == (None, "out", "in")
    finally:
        opt_out.configure()


def test_an_ordinary_message_costs_no_query_for_it(setup):  # noqa: F811
    says("hello", 3)
    with counting() as trips:
        says("where is my order?", 4)
    assert "opt_outs" not in str(trips) and "contacts" not in str(trips)


def test_contacts_shows_who_opted_out(setup, admin_client):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": NUMBER}, {"first_name": "Bo", "mobile": "+447700900902"})
    says("STOP", 5)
    page = admin_client.get("/contacts/").get_data(as_text=True)
    assert page.count("Opted out (replied STOP)") == 1
    row = next(line for line in page.split("<tr") if "Opted out" in line)
    assert "Ana" in row and "Bo" not in row


def test_a_number_that_opts_out_after_the_campaign_was_created_is_not_sent(setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": NUMBER}, {"first_name": "Bo", "mobile": "+447700900902"})
    campaign = new_campaign(setup)
    says("stop", 6)
    assert sender.run(campaign["_id"]) == "done"
    assert ["+" + request.json["to"] for request in fake_provider.requests_to(SEND_PATH)] == ["+447700900902"]
    assert recipients(campaign)[NUMBER]["reason"] == "Opted out of marketing messages."
