"""Stored media answers byte-range requests, so players can seek in long audio and video."""

from app.services.attachments import media_store


def test_a_range_request_gets_exactly_that_range(admin_client):
    data = bytes(range(256)) * 40
    stored = media_store.put(data, "song.mp3", "audio/mpeg", purpose="template_header")
    whole = admin_client.get(f"/media/{stored['file_id']}")
    assert whole.status_code == 200 and whole.data == data and whole.headers["Accept-Ranges"] == "bytes"
    part = admin_client.get(f"/media/{stored['file_id']}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}" and part.data == data[100:200]
    unsatisfiable = admin_client.get(f"/media/{stored['file_id']}", headers={"Range": f"bytes={len(data) + 10}-"})
    assert unsatisfiable.status_code == 416
