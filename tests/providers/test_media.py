"""Media: downloads and uploads against the fake server, attachment rules, and the WebM to OGG/Opus remux."""

import io
import math
import struct

import av
import pytest

from app.providers import MediaRef, ProviderError
from app.providers.media_limits import (
    MB,
    AttachmentRejected,
    check_attachment,
    content_type,
    infer_kind,
    remux_webm_to_ogg_opus,
    sanitize_filename,
    sniff,
)
from app.providers.sandbox import data_url
from tests.fakes.provider_server import FakeResponse

from .support import make

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"\x00" * 200
WEBP_STATIC = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 200
WEBP_ANIMATED = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 10 + b"ANIM" + b"\x00" * 200
EXE = b"MZ" + b"\x00" * 200


# -- downloads and uploads ----------------------------------------------------------------------------
def test_meta_download_two_steps_with_bearer(fake_provider):
    fake_provider.meta_media("900000000000001", b"IMAGEBYTES", "image/jpeg", token="meta-token")
    data, mime = make("meta", fake_provider).download_media(MediaRef(provider_media_id="900000000000001"))
    assert (data, mime) == (b"IMAGEBYTES", "image/jpeg")
    info_request, download_request = fake_provider.requests
    assert info_request.query == {"phone_number_id": ["100000000000001"]}
    assert download_request.headers["authorization"] == "Bearer meta-token"


def test_meta_download_with_revoked_token_is_auth(fake_provider):
    fake_provider.meta_media("900000000000001", b"x", "image/jpeg", token="new-token")
    with pytest.raises(ProviderError) as err:
        make("meta", fake_provider).download_media(MediaRef(provider_media_id="900000000000001"))
    assert (err.value.category, err.value.code) == ("auth", "190")


def test_meta_upload_is_multipart(fake_provider):
    fake_provider.script("POST", "/v23.0/100000000000001/media", FakeResponse(json={"id": "555"}))
    assert make("meta", fake_provider).upload_media(PNG, "image/png", "photo.png") == "555"
    sent = fake_provider.requests[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.headers["authorization"] == "Bearer meta-token"
    for part in (
        b'name="messaging_product"\r\n\r\nwhatsapp',
        b'name="type"\r\n\r\nimage/png',
        b'name="file"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n' + PNG,
    ):
        assert part in sent.body


def test_twilio_download_uses_basic_auth(fake_provider):
    url = fake_provider.twilio_media(
        "/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1",
        JPEG,
        "image/jpeg",
        "AC00000000000000000000000000000000",
        "twilio-token",
    )
    assert make("twilio", fake_provider).download_media(MediaRef(url=url)) == (JPEG, "image/jpeg")
    wrong = make("twilio", fake_provider, credentials={"account_sid": "AC00000000000000000000000000000000", "auth_token": "x"})
    with pytest.raises(ProviderError) as err:
        wrong.download_media(MediaRef(url=url))
    assert err.value.category == "auth"


def test_kaleyra_sends_api_key_only_to_its_api_host(fake_provider):
    fake_provider.route("GET", "/bucket/a.jpg", FakeResponse(body=JPEG, headers={"Content-Type": "image/jpeg"}))
    storage = make("kaleyra", fake_provider, api_base="https://api.in.kaleyra.io")
    assert storage.download_media(MediaRef(url=f"{fake_provider.url}/bucket/a.jpg")) == (JPEG, "image/jpeg")
    assert "api-key" not in fake_provider.requests[-1].headers
    make("kaleyra", fake_provider).download_media(MediaRef(url=f"{fake_provider.url}/bucket/a.jpg"))
    assert fake_provider.requests[-1].headers["api-key"] == "kaleyra-key"


def test_sinch_download_and_missing_media(fake_provider):
    fake_provider.route("GET", "/m/1.png", FakeResponse(body=PNG, headers={"Content-Type": "image/png"}))
    adapter = make("sinch", fake_provider)
    assert adapter.download_media(MediaRef(url=f"{fake_provider.url}/m/1.png")) == (PNG, "image/png")
    fake_provider.route("GET", "/m/gone.png", FakeResponse(404, {"error": "gone"}))
    with pytest.raises(ProviderError) as err:
        adapter.download_media(MediaRef(url=f"{fake_provider.url}/m/gone.png"))
    assert (err.value.http_status, err.value.retryable) == (404, False)


def test_sandbox_media_is_data_urls():
    adapter = make("sandbox")
    media_id = adapter.upload_media(PNG, "image/png")
    assert adapter.download_media(MediaRef(provider_media_id=media_id)) == (PNG, "image/png")
    assert adapter.download_media(MediaRef(url=data_url(b"abc", "text/plain"))) == (b"abc", "text/plain")
    with pytest.raises(ProviderError):
        adapter.download_media(MediaRef(url="https://example.com/x.png"))  # the sandbox fetches nothing


# -- attachment rules ---------------------------------------------------------------------------------
def test_sniff_and_accept():
    assert sniff(JPEG) == "image/jpeg" and sniff(PDF) == "application/pdf" and sniff(b"hello") is None
    checked = check_attachment(JPEG, "image/jpg", "../../etc/photo.jpg", "image")
    assert (checked.filename, checked.mime_type, checked.kind) == ("photo.jpg", "image/jpeg", "image")
    assert check_attachment(b"a,b\n1,2\n", "text/csv", "data.csv", "document").mime_type == "text/csv"


def test_content_type_tells_markup_and_text_from_the_bytes_alone():
    assert content_type(b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>") == "image/svg+xml"
    assert content_type(b"<!doctype html><p>hi") == "text/html"
    assert content_type(b"Dear customer,\n<script>x</script>") == "text/html"
    assert content_type("naïve café;1\n".encode("latin-1")) == "text/plain"
    assert content_type(PNG) == "image/png" and content_type(bytes(range(256))) is None


def test_documents_are_stored_under_the_type_their_bytes_show():
    assert check_attachment(b"a;b\n1;2\n", "application/vnd.ms-excel", "d.csv", "document").mime_type == "text/plain"
    assert check_attachment(bytes(range(256)), "application/x-custom", "d.bin", "document").mime_type == (
        "application/octet-stream"
    )
    with pytest.raises(AttachmentRejected, match="does not recognise this file's content as application/pdf"):
        check_attachment(bytes(range(256)), "application/pdf", "d.pdf", "document")


@pytest.mark.parametrize(
    ("data", "mime", "name", "kind", "reason"),
    [
        (PDF, "image/png", "x.png", "image", "is application/pdf but was presented as image/png"),
        (b"<svg onload='x()'/>", "image/png", "x.png", "image", "web page or SVG drawing"),
        (b"<html><script>x()</script>", "application/pdf", "x.pdf", "document", "web page or SVG drawing"),
        (b"hello", "image/webp", "x.webp", "sticker", "text/plain but was presented as image/webp"),
        (bytes(range(256)), "video/mp4", "x.mp4", "video", "content as video/mp4"),
        (EXE, "application/pdf", "x.pdf", "document", "cannot be sent"),
        (PDF, "application/pdf", "run.exe", "document", "cannot be sent"),
        (PDF, "application/pdf", "x.pdf", "image", "does not accept application/pdf as image"),
        (JPEG + b"\x00" * (5 * MB), "image/jpeg", "big.jpg", "image", "the limit for image is 5.0 MB"),
        (WEBP_STATIC + b"\x00" * (100 * 1024), "image/webp", "s.webp", "sticker", "limit for sticker is 100 KB"),
        (b"OggS" + b"\x00" * 60 + b"vorbis", "audio/ogg", "v.ogg", "voice", "only with the Opus codec"),
        (b"", "text/plain", "empty.txt", "document", "empty"),
    ],
)
def test_rejections_say_why(data, mime, name, kind, reason):
    with pytest.raises(AttachmentRejected) as err:
        check_attachment(data, mime, name, kind)
    assert reason in err.value.reason
    assert isinstance(err.value, ValueError)


def test_limits_per_sticker_kind_account_and_provider():
    assert check_attachment(WEBP_ANIMATED + b"\x00" * (300 * 1024), "image/webp", "a.webp", "sticker").size > 300 * 1024
    doc = PDF + b"\x00" * (20 * MB)
    assert check_attachment(doc, "application/pdf", "a.pdf", "document").mime_type == "application/pdf"
    with pytest.raises(AttachmentRejected, match="16.0 MB"):
        check_attachment(doc, "application/pdf", "a.pdf", "document", provider="twilio")
    with pytest.raises(AttachmentRejected, match="15.0 MB"):
        check_attachment(doc, "application/pdf", "a.pdf", "document", account_limit_bytes=15 * MB)


def test_filenames_and_kinds():
    assert sanitize_filename("C:\\Users\\me\\report<1>.pdf") == "report1.pdf"
    assert sanitize_filename("", "application/pdf") == "attachment.pdf"
    assert len(sanitize_filename("x" * 300 + ".pdf")) == 120 and sanitize_filename("x" * 300 + ".pdf").endswith(".pdf")
    assert [infer_kind(m) for m in ("image/png", "image/gif", "audio/mpeg", "video/mp4", None)] == [
        "image",
        "document",
        "audio",
        "video",
        "document",
    ]


# -- voice notes ----------------------------------------------------------------------------------------
def make_webm_opus(seconds: float = 1.0) -> bytes:
    """What Chromium's MediaRecorder produces: Opus audio in a WebM container, made here with PyAV."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        pts, size = 0, 960
        while pts < int(48000 * seconds):
            samples = b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * (pts + i) / 48000))) for i in range(size)
            )
            frame = av.AudioFrame(format="s16", layout="mono", samples=size)
            frame.planes[0].update(samples)
            frame.sample_rate, frame.pts = 48000, pts
            for packet in stream.encode(frame):
                out.mux(packet)
            pts += size
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _packets(data: bytes) -> list[bytes]:
    with av.open(io.BytesIO(data)) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def test_webm_voice_note_becomes_ogg_opus_without_reencoding():
    webm = make_webm_opus()
    assert sniff(webm) == "video/webm"
    with pytest.raises(AttachmentRejected, match="OGG/Opus"):
        check_attachment(webm, "audio/webm", "note.webm", "voice")
    ogg = remux_webm_to_ogg_opus(webm)
    assert sniff(ogg) == "audio/ogg"
    with av.open(io.BytesIO(ogg)) as container:
        assert container.format.name == "ogg"
        assert container.streams.audio[0].codec_context.name == "opus"
        assert 0.9 < container.duration / 1e6 < 1.2
    assert _packets(ogg) == _packets(webm)  # the very same Opus packets: copied, not re-encoded
    checked = check_attachment(ogg, "audio/ogg; codecs=opus", "note.ogg", "voice")
    assert (checked.mime_type, checked.kind) == ("audio/ogg", "voice")


def test_remux_refuses_what_is_not_webm_opus():
    with pytest.raises(AttachmentRejected):
        remux_webm_to_ogg_opus(b"definitely not a recording")
