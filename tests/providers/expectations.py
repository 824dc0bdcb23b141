"""Expected normalized events for every inbound and status fixture (partial dicts: only what matters)."""

from app.providers import WINDOW_CLOSED_MESSAGE

CUSTOMER, BUSINESS, PNID = "+15550001111", "+15550001000", "100000000000001"


def meta_msg(msg_id: str, kind: str, **extra) -> dict:
    return {
        "event_type": "message",
        "provider": "meta",
        "provider_message_id": msg_id,
        "sender": CUSTOMER,
        "recipient": BUSINESS,
        "channel_id": PNID,
        "profile_name": "Test User",
        "kind": kind,
        **extra,
    }


def meta_status(status: str, **extra) -> dict:
    return {
        "event_type": "status",
        "provider": "meta",
        "provider_message_id": "wamid.FAKE000000000000000000000015=",
        "status": status,
        "recipient": CUSTOMER,
        "channel_id": PNID,
        **extra,
    }


W15 = "wamid.FAKE000000000000000000000015="
META = {
    "meta/inbound_text.json": [
        meta_msg("wamid.FAKE000000000000000000000001=", "text", text="Does it come in another color?", context_message_id=None)
    ],
    "meta/inbound_text_reply_context.json": [
        meta_msg(W15, "text", text="replied text", context_message_id="wamid.FAKE000000000000000000000017=")
    ],
    "meta/inbound_image.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000001=",
            "image",
            caption="Taj Mahal",
            media={"provider_media_id": "900000000000001", "mime_type": "image/jpeg"},
        )
    ],
    "meta/inbound_audio.json": [
        meta_msg(
            W15,
            "audio",
            forwarded=True,
            media={"provider_media_id": "900000000000002", "voice": False, "mime_type": "audio/ogg; codecs=opus"},
        )
    ],
    "meta/inbound_audio_voice_note.json": [
        meta_msg(W15, "voice", forwarded=False, media={"provider_media_id": "900000000000002", "voice": True})
    ],
    "meta/inbound_video_forwarded.json": [
        meta_msg(
            W15,
            "video",
            caption="caption",
            forwarded=True,
            media={"provider_media_id": "900000000000003", "mime_type": "video/mp4"},
        )
    ],
    "meta/inbound_document_forwarded.json": [
        meta_msg(
            W15, "document", caption="caption", forwarded=True, media={"filename": "filename.pdf", "mime_type": "application/pdf"}
        )
    ],
    "meta/inbound_sticker.json": [meta_msg(W15, "sticker", media={"mime_type": "image/webp", "animated": False})],
    "meta/inbound_location.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000006=",
            "location",
            location={
                "latitude": 37.44221496582,
                "longitude": -122.16165924072,
                "name": "Philz Coffee",
                "address": "101 Forest Ave, Palo Alto, CA 94301",
                "url": "https://philzcoffee.com/",
            },
        )
    ],
    "meta/inbound_contacts.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000001=",
            "contacts",
            contacts=[{"name": "Lucía Gómez", "phones": ["+1 555-000-2222"], "emails": [], "org": "Google"}],
        )
    ],
    "meta/inbound_interactive_button_reply.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000012=",
            "button_reply",
            reply={"id": "cancel-button", "title": "Cancel"},
            context_message_id="wamid.FAKE000000000000000000000013=",
        )
    ],
    "meta/inbound_interactive_list_reply.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000010=",
            "list_reply",
            reply={"id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days"},
        )
    ],
    "meta/inbound_button_template_quick_reply.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000008=",
            "template_reply",
            reply={"payload": "Unsubscribe", "title": "Unsubscribe"},
            context_message_id="wamid.FAKE000000000000000000000009=",
        )
    ],
    "meta/inbound_reaction_add.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000001=",
            "reaction",
            reaction={"message_id": "wamid.FAKE000000000000000000000005=", "emoji": "👍"},
        )
    ],
    "meta/inbound_reaction_remove.json": [
        meta_msg(W15, "reaction", reaction={"message_id": "wamid.FAKE000000000000000000000016=", "emoji": None})
    ],
    "meta/inbound_unsupported.json": [
        meta_msg("wamid.FAKE000000000000000000000007=", "unsupported", error={"code": "131051", "title": "Message type unknown"})
    ],
    "meta/status_sent.json": [meta_status("sent", error=None)],
    "meta/status_delivered.json": [meta_status("delivered", error=None)],
    "meta/status_read.json": [meta_status("read", error=None)],
    "meta/status_sent_pricing_marketing.json": [
        meta_status(
            "sent",
            provider_message_id="wamid.FAKE000000000000000000000031=",
            pricing={
                "billable": True,
                "pricing_model": "PMP",
                "category": "marketing",
                "type": "regular",
                "conversation_id": None,
                "origin": None,
                "expires_at": None,
            },
        )
    ],
    "meta/status_delivered_pricing_utility.json": [
        meta_status(
            "delivered",
            provider_message_id="wamid.FAKE000000000000000000000032=",
            pricing={
                "billable": True,
                "pricing_model": "PMP",
                "category": "utility",
                "type": "regular",
                "conversation_id": None,
                "origin": None,
                "expires_at": None,
            },
        )
    ],
    "meta/status_sent_pricing_authentication.json": [
        meta_status(
            "sent",
            provider_message_id="wamid.FAKE000000000000000000000033=",
            pricing={
                "billable": True,
                "pricing_model": "PMP",
                "category": "authentication",
                "type": "regular",
                "conversation_id": None,
                "origin": None,
                "expires_at": None,
            },
        )
    ],
    "meta/status_delivered_pricing_service_free.json": [
        meta_status(
            "delivered",
            provider_message_id="wamid.FAKE000000000000000000000034=",
            pricing={
                "billable": False,
                "pricing_model": "PMP",
                "category": "service",
                "type": "free_customer_service",
                "conversation_id": None,
                "origin": None,
                "expires_at": None,
            },
        )
    ],
    "meta/status_sent_pricing_referral_free_entry_point_v23.json": [
        meta_status(
            "sent",
            provider_message_id="wamid.FAKE000000000000000000000035=",
            pricing={
                "billable": False,
                "pricing_model": "PMP",
                "category": "referral_conversion",
                "type": "free_entry_point",
                "conversation_id": "00000000000000000000000000000035",
                "origin": "referral_conversion",
                "expires_at": 1767312240,
            },
        )
    ],
    "meta/status_played_voice.json": [
        meta_status("played", provider_message_id="wamid.FAKE000000000000000000000036=", pricing=None)
    ],
    "meta/status_failed_131047_reengagement.json": [
        meta_status(
            "failed",
            error={"code": "131047", "category": "window_closed", "retryable": False, "user_message": WINDOW_CLOSED_MESSAGE},
        )
    ],
}


def twilio_msg(sid: str, kind: str, **extra) -> dict:
    return {
        "event_type": "message",
        "provider": "twilio",
        "provider_message_id": sid,
        "sender": CUSTOMER,
        "recipient": BUSINESS,
        "kind": kind,
        **extra,
    }


def twilio_status(status: str, **extra) -> dict:
    return {
        "event_type": "status",
        "provider": "twilio",
        "provider_message_id": "SM00000000000000000000000000000005",
        "status": status,
        "recipient": CUSTOMER,
        **extra,
    }


TWILIO = {
    "twilio/inbound_text.txt": [twilio_msg("SM00000000000000000000000000000001", "text", text="test")],
    "twilio/inbound_image.txt": [
        twilio_msg(
            "MM00000000000000000000000000000002",
            "image",
            caption=None,
            media={
                "mime_type": "image/jpeg",
                "url": "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000"
                "/Messages/MM00000000000000000000000000000002/Media/ME00000000000000000000000000000003",
            },
        )
    ],
    "twilio/inbound_location.txt": [
        twilio_msg(
            "SM00000000000000000000000000000004",
            "location",
            location={
                "latitude": 52.303897857666016,
                "longitude": 4.750025749206543,
                "name": "Microsoft",
                "address": "Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ",
            },
        )
    ],
    "twilio/inbound_interactive_call_permission_reply.txt": [
        twilio_msg(
            "SMxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "button_reply",
            profile_name="XXXX Caller BR-2",
            reply={"id": "REJECTED", "payload": "REJECTED", "title": "VOICE_CALL_REQUEST"},
        )
    ],
    "twilio/status_sent.txt": [twilio_status("sent", error=None)],
    "twilio/status_delivered.txt": [twilio_status("delivered", error=None)],
    "twilio/status_read.txt": [twilio_status("read", error=None)],
    "twilio/status_undelivered_63016.txt": [
        twilio_status("failed", error={"code": "63016", "category": "window_closed", "user_message": WINDOW_CLOSED_MESSAGE})
    ],
}

KALEYRA = {
    "kaleyra/legacy_incoming_text_onprem_format.json": [
        {
            "event_type": "message",
            "provider": "kaleyra",
            "provider_message_id": "ABGGFlA5FpafAgo6tHcNmNjXmuSf",
            "sender": CUSTOMER,
            "kind": "text",
            "text": "Hello this is an answer",
            "profile_name": "Test",
        }
    ],
    "kaleyra/v2_status_sent.json": [
        {
            "event_type": "status",
            "provider": "kaleyra",
            "provider_message_id": "wamid.FAKE_KALEYRA_MESSAGE_ID==",
            "status": "sent",
            "recipient": CUSTOMER,
            "channel_id": PNID,
            "client_ref": "campaign_2025_summer_sale",
        }
    ],
    "kaleyra/template_status_update_callback_profile_template.json": [],
}


def sinch_msg(msg_id: str, kind: str, **extra) -> dict:
    return {
        "event_type": "message",
        "provider": "sinch",
        "provider_message_id": msg_id,
        "sender": CUSTOMER,
        "channel_id": "01EB37HMH1M6SV18ASNS3G135H",
        "kind": kind,
        **extra,
    }


def sinch_status(msg_id: str, status: str, **extra) -> dict:
    return {
        "event_type": "status",
        "provider": "sinch",
        "provider_message_id": msg_id,
        "status": status,
        "recipient": CUSTOMER,
        **extra,
    }


SINCH = {
    "sinch/inbound_text.json": [sinch_msg("01EBDTPPG3Q3EH14H7DY8X09MG", "text", text="Hi from contact")],
    "sinch/inbound_media.json": [
        sinch_msg(
            "01EKJ1534NWK5R02TGWEJN13HA",
            "image",
            media={
                "mime_type": "image/png",
                "url": "https://1vxc0v12qhrm1e72gq1mmxkf-wpengine.netdna-ssl.com/wp-content/uploads/2019/05/Sinch-logo-Events.png",
            },
        )
    ],
    "sinch/inbound_location.json": [
        sinch_msg(
            "01EBDTT89ZGTGM0P70W0RK0YR2",
            "location",
            location={"latitude": 55.727802, "longitude": 13.175061, "name": "ICA Jägaren"},
        )
    ],
    "sinch/inbound_choice_response_button_or_list.json": [
        sinch_msg(
            "01EBDTZMYPHM0G1D0AJFEZ0A4P",
            "button_reply",
            reply={"payload": "email_postback", "id": "email_postback"},
            context_message_id="01EBDTZ9SN8HTW092K56PH1GDS",
        )
    ],
    "sinch/delivery_delivered.json": [
        sinch_status("01H9876543...", "delivered", client_ref="order_confirmation_12345", error=None)
    ],
    "sinch/delivery_read.json": [sinch_status("01EBDV9EFP66ZA0GQJ9MCX1V9H", "read", error=None)],
    "sinch/delivery_failed_outside_window.json": [
        sinch_status(
            "01EQBF0BT63J7S1FEKJZ0Z08VD",
            "failed",
            error={"code": "OUTSIDE_ALLOWED_SENDING_WINDOW", "category": "window_closed", "user_message": WINDOW_CLOSED_MESSAGE},
        )
    ],
    "sinch/unsupported_callback.json": [],  # a Messenger echo: not WhatsApp
}

#: SDK fixtures use channel MESSENGER: ignored as they are, read once re-labelled as WhatsApp.
SINCH_RELABELLED = {
    "sinch/delivery_queued_on_channel.json": [sinch_status("01EQBC1A3BEK731GY4YXEN0C2R", "sent")],
    "sinch/delivery_report_with_reason_sdkfixture.json": [
        sinch_status("message id", "delivered", error=None, client_ref="metadata value")
    ],
    "sinch/inbound_reaction_event_sdkfixture.json": [
        {
            "event_type": "message",
            "provider": "sinch",
            "provider_message_id": "event id",
            "sender": CUSTOMER,
            "kind": "reaction",
            "reaction": {"message_id": "message id value", "emoji": "🔥 Java SDK"},
        }
    ],
    "sinch/inbound_text_reply_to_sdkfixture.json": [
        {
            "event_type": "message",
            "provider": "sinch",
            "provider_message_id": "event id",
            "sender": CUSTOMER,
            "kind": "text",
            "text": "This is a text message.",
            "context_message_id": "message id value",
        }
    ],
}

#: ``contact_message`` fragments, wrapped in a WhatsApp MESSAGE_INBOUND envelope by the test.
SINCH_FRAGMENTS = {
    "sinch/contact_message_fallback_fragment_sdkfixture.json": {
        "kind": "unsupported",
        "text": "raw message value",
        "context_message_id": "message id value",
        "error": {"code": "RECIPIENT_NOT_OPTED_IN", "category": "invalid_recipient"},
    },
    "sinch/contact_message_media_fragment_sdkfixture.json": {
        "kind": "document",
        "context_message_id": "message id value",
        "media": {"url": "an url value", "filename": "filename override value"},
    },
    "sinch/contact_message_nfm_reply_fragment_sdkfixture.json": {"kind": "unsupported", "context_message_id": "message id value"},
}

BSUID = "US.13491208655302741918"


def meta_bsuid_msg(msg_id: str, kind: str, sender=None, **extra) -> dict:
    """A customer with a username: WhatsApp names them by business-scoped user id, the number may be withheld."""
    who = {"sender": sender, "user_id": BSUID, "username": "maria.shops", "profile_name": "Maria"}
    return meta_msg(f"wamid.FAKEBSUID000000000000{msg_id}=", kind, **who, **extra)


META_BSUID = {
    "meta/inbound_bsuid_text.json": [meta_bsuid_msg("0001", "text", text="Does it come in another color?")],
    "meta/inbound_bsuid_text_with_number.json": [
        meta_bsuid_msg("0002", "text", sender=CUSTOMER, text="Does it come in another color?")
    ],
    "meta/inbound_bsuid_image.json": [
        meta_bsuid_msg("0003", "image", caption="Taj Mahal", media={"provider_media_id": "900000000000001"})
    ],
    "meta/inbound_bsuid_interactive_button_reply.json": [
        meta_bsuid_msg("0004", "button_reply", reply={"id": "cancel-button", "title": "Cancel"})
    ],
    "meta/inbound_bsuid_reaction.json": [
        meta_bsuid_msg("0005", "reaction", reaction={"message_id": "wamid.FAKE000000000000000000000005=", "emoji": "👍"})
    ],
    "meta/inbound_bsuid_location.json": [
        meta_bsuid_msg("0006", "location", location={"latitude": 37.44221496582, "longitude": -122.16165924072})
    ],
    "meta/status_bsuid_delivered.json": [
        {**meta_status("delivered", error=None), "provider_message_id": "wamid.FAKEBSUID0000000000000010=", "recipient": BSUID}
    ],
}

# Failed statuses whose codes the error table knows (app/domain/provider_errors.py).
ERROR_STATUSES = {
    "meta/status_failed_131049_marketing_limit.json": [
        meta_status(
            "failed",
            provider_message_id="wamid.FAKE000000000000000000000031=",
            error={"code": "131049", "category": "rate_limited", "retryable": False},
        )
    ],
    "twilio/status_undelivered_63032.txt": [
        twilio_status(
            "failed",
            provider_message_id="SM00000000000000000000000000000032",
            error={"code": "63032", "category": "invalid_recipient", "retryable": False},
        )
    ],
    "sinch/delivery_failed_recipient_not_reachable.json": [
        sinch_status(
            "01EQBF0BT63J7S1FEKJZ0Z0RNR",
            "failed",
            error={"code": "RECIPIENT_NOT_REACHABLE", "category": "invalid_recipient", "retryable": False},
        )
    ],
}

# The customer's edits and deletions of earlier messages (Meta's edit and revoke webhooks).
EDITS = {
    "meta/inbound_edit_text.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000041=",
            "edit",
            target_message_id="wamid.FAKE000000000000000000000040=",
            text="My order number is 4512, not 4521",
            caption=None,
        )
    ],
    "meta/inbound_edit_image_caption.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000043=",
            "edit",
            target_message_id="wamid.FAKE000000000000000000000042=",
            text=None,
            caption="The box arrived broken like this",
        )
    ],
    "meta/inbound_revoke.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000044=", "revoke", target_message_id="wamid.FAKE000000000000000000000040=", text=None
        )
    ],
}

#: Meta's system messages about a customer's new number or BSUID: not messages, they change the
#: contact (tests/webhooks/test_identity_changes.py posts these).
IDENTITY_CHANGES = {
    "meta/inbound_system_user_changed_number.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000014=",
            "identity_change",
            error=None,
            profile_name=None,
            text="User Test User changed from 15550001111 to 15550002222",
            identity={"change": "number", "phone": "+15550002222", "user_id": None, "previous_user_id": None},
        )
    ],
    "meta/inbound_system_user_changed_number_bsuid.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000062=",
            "identity_change",
            error=None,
            profile_name=None,
            user_id="US.13491208655302741977",
            identity={
                "change": "number",
                "phone": "+15550002222",
                "user_id": "US.13491208655302741977",
                "previous_user_id": "US.13491208655302741918",
            },
        )
    ],
    "meta/inbound_system_user_changed_user_id.json": [
        meta_msg(
            "wamid.FAKE000000000000000000000061=",
            "identity_change",
            sender=None,
            error=None,
            profile_name=None,
            user_id="US.13491208655302741999",
            identity={
                "change": "user_id",
                "phone": None,
                "user_id": "US.13491208655302741999",
                "previous_user_id": "US.13491208655302741918",
            },
        )
    ],
}
INBOUND = {**META, **META_BSUID, **TWILIO, **KALEYRA, **SINCH}
#: Kept apart from INBOUND: the webhook tests that replay INBOUND count stored messages, which edits
#: and failed statuses are not (tests/engine/test_error_table.py and test_customer_edits.py post these).
CHANGES = {**ERROR_STATUSES, **EDITS, **IDENTITY_CHANGES}
