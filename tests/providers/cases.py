"""The OutboundMessage behind each ``send_*`` fixture, shared by the fixture test and the loopback send tests."""

from __future__ import annotations

from app.providers import (
    Location,
    OutboundMedia,
    OutboundMessage,
    OutboundReaction,
    TemplateButton,
    TemplateHeader,
    TemplateSpec,
)

from .support import load

TO = "+15550001111"

_META_TEMPLATE = TemplateSpec(
    name="template-name",
    language="language-and-locale-code",
    header=TemplateHeader("image", link="http(s)://the-image-url"),
    body_params=[
        "text-string",
        {"type": "currency", "currency": {"fallback_value": "$100.99", "code": "USD", "amount_1000": 100990}},
        {
            "type": "date_time",
            "date_time": {
                "fallback_value": "February 25, 1977",
                "day_of_week": 5,
                "year": 1977,
                "month": 2,
                "day_of_month": 25,
                "hour": 15,
                "minute": 33,
                "calendar": "GREGORIAN",
            },
        },
    ],
    buttons=[
        TemplateButton("quick_reply", 0, payload="aGlzIHRoaXMgaXMgY29v"),
        TemplateButton("quick_reply", 1, payload="9rwnB8RbYmPF5t2Mn09x4h"),
    ],
)


def _meta_cases() -> dict[str, OutboundMessage]:
    return {
        "meta/send_text.json": OutboundMessage(TO, "text", text="text-message-content"),
        "meta/send_text_preview_url.json": OutboundMessage(
            TO, "text", text="Please visit https://youtu.be/hpltvTEiRrY.", preview_url=True
        ),
        "meta/send_text_reply_context.json": OutboundMessage(
            TO, "text", text="<TEXT_MSG_CONTENT>", reply_to="wamid.FAKE_PREVIOUS_MESSAGE_ID="
        ),
        "meta/send_image_link.json": OutboundMessage(TO, "image", media=OutboundMedia(link="http(s)://image-url")),
        "meta/send_image_media_id.json": OutboundMessage(TO, "image", media=OutboundMedia(media_id="<IMAGE_OBJECT_ID>")),
        "meta/send_audio_link.json": OutboundMessage(TO, "audio", media=OutboundMedia(link="<http(s)://audio-url>")),
        "meta/send_document_media_id.json": OutboundMessage(
            TO,
            "document",
            media=OutboundMedia(
                media_id="<DOCUMENT_OBJECT_ID>", filename="<DOCUMENT_FILENAME>", caption="<DOCUMENT_CAPTION_TO_SEND>"
            ),
        ),
        "meta/send_video_link_reply_context.json": OutboundMessage(
            TO,
            "video",
            media=OutboundMedia(link="<http(s)://video-url>", caption="<VIDEO_CAPTION_TEXT>"),
            reply_to="wamid.FAKE_PREVIOUS_MESSAGE_ID=",
        ),
        "meta/send_location.json": OutboundMessage(
            TO, "location", location=Location(37.758056, -122.425332, "META HQ", "1 Hacker Way, Menlo Park, CA 94025")
        ),
        "meta/send_reaction.json": OutboundMessage(
            TO, "reaction", reaction=OutboundReaction("wamid.FAKE_MESSAGE_TO_REACT_TO=", "😀")
        ),
        "meta/send_interactive_reply_buttons.json": OutboundMessage(
            TO, "interactive", interactive=load("meta/send_interactive_reply_buttons.json")["interactive"]
        ),
        "meta/send_interactive_list.json": OutboundMessage(
            TO, "interactive", interactive=load("meta/send_interactive_list.json")["interactive"]
        ),
        "meta/send_interactive_cta_url.json": OutboundMessage(
            TO, "interactive", interactive=load("meta/send_interactive_cta_url.json")["interactive"]
        ),
        "meta/send_template_hello_world.json": OutboundMessage(
            TO, "template", template=TemplateSpec(name="hello_world", language="en_US")
        ),
        "meta/send_template_header_image_body_params_quick_replies.json": OutboundMessage(
            TO, "template", template=_META_TEMPLATE
        ),
    }


def _twilio_cases() -> dict[str, OutboundMessage]:
    return {
        "twilio/send_text.txt": OutboundMessage(TO, "text", text="Hello from the agent"),
        "twilio/send_media.txt": OutboundMessage(
            TO, "document", media=OutboundMedia(link="https://example.com/invoice.pdf", caption="Here is your invoice")
        ),
        "twilio/send_template_content_sid.txt": OutboundMessage(
            TO,
            "template",
            template=TemplateSpec(content_sid="HX00000000000000000000000000000000", body_params=["12/1", "3pm"]),
        ),
    }


def _sinch_cases() -> dict[str, OutboundMessage]:
    return {
        "sinch/send_text.json": OutboundMessage(TO, "text", text="Text message from Sinch Conversation API."),
        "sinch/send_media.json": OutboundMessage(TO, "image", media=OutboundMedia(link="https://example.com/image.png")),
        "sinch/send_location.json": OutboundMessage(
            TO, "location", location=Location(55.610479, 13.002873, "Location Message", "Enriching Engagement")
        ),
        "sinch/send_template_whatsapp_quick_reply.json": OutboundMessage(
            TO,
            "template",
            template=TemplateSpec(
                name="interactive_template_quick_reply",
                language="en",
                header=TemplateHeader("text", text="Value of header parameter"),
                body_params=["Value of first parameter"],
                buttons=[TemplateButton("quick_reply", i, payload=f"button{i}clicked") for i in range(3)],
            ),
        ),
    }


SEND_CASES: dict[str, OutboundMessage] = {**_meta_cases(), **_twilio_cases(), **_sinch_cases()}

#: Kaleyra v2 ``messaging_object`` equals Meta's body for the same message.
KALEYRA_TEXT = OutboundMessage("15550001111", "text", text="Hello from the agent")
