"""The OpenAPI description of the interaction routes (app/blueprints/api/interactions.py)."""

ERROR = {"$ref": "#/components/responses/Error"}
ERRORS = dict.fromkeys(("400", "401", "403", "404", "409", "422"), ERROR)
ID = {"name": "interaction_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{24}$"}}


def _body(**properties):
    return {"content": {"application/json": {"schema": {"type": "object", "properties": properties}}}}


STRING, ID_STRING = {"type": "string"}, {"type": "string", "pattern": "^[0-9a-f]{24}$"}
TAG_LIST = {"type": "array", "items": STRING}
MESSAGE_BODY = _body(
    kind={
        "type": "string",
        "enum": ["text", "image", "audio", "voice", "video", "document", "sticker", "location", "template", "reaction"],
    },
    text=STRING,
    client_id=STRING,
    reply_to=STRING,
    internal={"type": "boolean"},
    caption=STRING,
    media={"type": "object"},
    location={"type": "object"},
    template_id=ID_STRING,
    params={"type": "object"},
    reaction={"type": "object"},
    preview_url={"type": "boolean"},
)
START_BODY = _body(
    account_id=ID_STRING,
    phone=STRING,
    name=STRING,
    template_id=ID_STRING,
    params={"type": "object"},
    text=STRING,
    client_id=STRING,
)
LABELS_BODY = _body(disposition=STRING, tags=TAG_LIST)
TAGS = ["interactions"]


def _query(name, description, schema=None):
    return {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}


LIST_PARAMS = [
    _query("status", "queued, open, closed or reopened", {"type": "string", "enum": ["queued", "open", "closed", "reopened"]}),
    _query("account_id", "Only this WhatsApp account."),
    _query("agent_id", "Assigned to this agent."),
    _query("first_agent_id", "First managed by this agent."),
    _query("tag", "Has this tag."),
    _query("tags", "Has all these tags (repeat the parameter).", {"type": "array", "items": {"type": "string"}}),
    _query("read", "true: read; false: with unread customer messages.", {"type": "boolean"}),
    _query("start_from", "Started on or after (ISO date or date-time)."),
    _query("start_to", "Started before the end of (ISO date or date-time)."),
    _query("q", "Contact name, phone number or a word of a message."),
    _query(
        "window_closing_within",
        "Open, with the 24 h window closing within N hours.",
        {"type": "integer", "minimum": 1, "maximum": 24},
    ),
    _query("sort", "start, last_message or window; prefix - for descending.", {"type": "string"}),
    _query("page", "From 1.", {"type": "integer", "minimum": 1, "maximum": 1000}),
    _query("per_page", "At most 100.", {"type": "integer", "minimum": 1, "maximum": 100}),
]


def _action(summary, body=None):
    operation = {"summary": summary, "tags": TAGS, "responses": {"200": {"description": "The interaction."}, **ERRORS}}
    if body:
        operation["requestBody"] = body
    return {"parameters": [ID], "post": operation}


PATHS = {
    "/api/v1/interactions": {
        "get": {
            "summary": "List interactions",
            "tags": TAGS,
            "operationId": "list_interactions",
            "parameters": LIST_PARAMS,
            "responses": {"200": {"description": "One page."}, **ERRORS},
        },
        "post": {
            "summary": "Start an outbound interaction (account_id, phone, template_id + params or text)",
            "tags": TAGS,
            "operationId": "start_interaction",
            "requestBody": START_BODY,
            "responses": {"201": {"description": "The interaction and its first message."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}": {
        "parameters": [ID],
        "get": {
            "summary": "An interaction with a page of its messages (before, limit)",
            "tags": TAGS,
            "operationId": "get_interaction",
            "parameters": [
                _query("before", "Messages before this position.", {"type": "integer"}),
                _query("limit", "At most 200.", {"type": "integer"}),
            ],
            "responses": {"200": {"description": "The interaction."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}/events": {
        "parameters": [ID],
        "get": {
            "summary": "Live events after a sequence number (catching up after a reconnect)",
            "tags": TAGS,
            "operationId": "interaction_events",
            "parameters": [_query("after_seq", "Last sequence seen.", {"type": "integer"})],
            "responses": {"200": {"description": "The events, in order."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}/messages": {
        "parameters": [ID],
        "post": {
            "summary": "Send a message: text, media (file_id), location, template, reaction, reply_to, internal note",
            "tags": TAGS,
            "operationId": "send_message",
            "requestBody": MESSAGE_BODY,
            "responses": {"201": {"description": "The queued message and any warnings."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}/messages/{message_id}/add-contact": {
        "parameters": [ID, {"name": "message_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "post": {
            "summary": "Add a shared contact card to the account's contact list",
            "tags": TAGS,
            "operationId": "add_contact_from_card",
            "requestBody": _body(card={"type": "integer"}),
            "responses": {"201": {"description": "The new contact."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}/recontact": {
        "parameters": [ID],
        "post": {
            "summary": "Send the account's recontact template",
            "tags": TAGS,
            "operationId": "send_recontact",
            "requestBody": _body(params={"type": "object"}),
            "responses": {"201": {"description": "The queued template message."}, **ERRORS},
        },
    },
    "/api/v1/interactions/{interaction_id}/accept": _action("Accept a queued interaction"),
    "/api/v1/interactions/{interaction_id}/reject": _action("Reject an offered interaction"),
    "/api/v1/interactions/{interaction_id}/close": _action("Close (disposition, tags)", LABELS_BODY),
    "/api/v1/interactions/{interaction_id}/reopen": _action("Reopen (disposition, tags)", LABELS_BODY),
    "/api/v1/interactions/{interaction_id}/transfer": _action(
        "Transfer to agent_id or queue_id", _body(agent_id=ID_STRING, queue_id=ID_STRING)
    ),
    "/api/v1/interactions/{interaction_id}/read": _action(
        "Mark the conversation read (up to the message at position; all of it without)",
        _body(position={"type": "integer", "minimum": 0}),
    ),
}
