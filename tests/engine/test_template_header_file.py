"""A template's header image uploaded from the admin's disk is stored and sent by media id."""

import io
import struct
import zlib

from app.db import get_db
from app.services.conversations import delivery, inbound, outbound, routing
from tests.engine.test_meta_flow import MESSAGES, PHONE_ID, meta_account, meta_text_event, sent_ok
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import csrf_token
from tests.support.engine import make_queue


def tiny_png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def form(account, **extra):
    data = {
        "account_id": str(account["_id"]),
        "name": "order_photo",
        "language": "en_US",
        "category": "utility",
        "header_type": "IMAGE",
        "body": "Your order {{1}} is packed.",
        "available_for_agents": "y",
    }
    for n in range(4):
        data.update({f"buttons-{n}-type": "", f"buttons-{n}-text": "", f"buttons-{n}-value": ""})
    return {**data, **extra}


def test_admin_uploads_a_header_image_and_agents_send_it_by_media_id(app, admin_client, agent, fake_provider):
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    data = form(
        account,
        csrf_token=csrf_token(admin_client, "/admin/templates/new"),
        header_file=(io.BytesIO(tiny_png()), "packed.png", "image/png"),
    )
    response = admin_client.post("/admin/templates/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    template = get_db().templates.find_one({"name": "order_photo"})
    header = template["components"][0]
    assert header["format"] == "IMAGE" and header["media_file_id"]
    assert admin_client.get(f"/media/{header['media_file_id']}").data == tiny_png()

    inbound.ingest(account, [meta_text_event(account, "Hi")])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    sent, _ = outbound.compose(
        agent, interaction["_id"], {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["A-12"]}}
    )
    assert sent["template"]["rendered"]["header"]["file_id"] == header["media_file_id"]
    fake_provider.script("POST", f"/v23.0/{PHONE_ID}/media", FakeResponse(200, {"id": "MEDIA-42"}))
    fake_provider.script("POST", MESSAGES, sent_ok("wamid.T1"))
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [upload] = fake_provider.requests_to(f"/v23.0/{PHONE_ID}/media")
    assert tiny_png() in upload.body
    body = fake_provider.requests_to(MESSAGES)[0].json
    components = body["template"]["components"]
    assert {"type": "header", "parameters": [{"type": "image", "image": {"id": "MEDIA-42"}}]} in components


def test_a_header_file_of_the_wrong_type_is_refused_next_to_the_field(app, admin_client, agent, fake_provider):
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    data = form(
        account,
        csrf_token=csrf_token(admin_client, "/admin/templates/new"),
        header_file=(io.BytesIO(b"MZ\x90\x00 not an image"), "photo.png", "image/png"),
    )
    response = admin_client.post("/admin/templates/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "field-error" in html
    assert get_db().templates.count_documents({}) == 0
