"""The OpenAPI description of the report routes (app/blueprints/api/reports.py)."""

ERROR = {"$ref": "#/components/responses/Error"}
SPREAD = {"type": "object", "properties": {"count": {"type": "integer"}, "median": {"type": ["number", "null"]},
                                           "p90": {"type": ["number", "null"]}}}

LIST = {"type": "array", "items": {"type": "object"}}
SUMMARY = {"type": "object", "properties": {
    "totals": {"type": "object"}, "queues": LIST, "hourly": LIST, "first_response": SPREAD, "handling": SPREAD,
    "sentiment": {"type": "object"}, "agents": LIST,
    "ingestion": {"type": "object", "properties": {"provider_to_parley": SPREAD, "parley_processing": SPREAD}},
    "jobs": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}}}}

PATHS = {
    "/api/v1/dashboard": {
        "get": {
            "summary": "Live dashboard figures",
            "description": "Admins. Per queue: waiting, open, agents online, longest wait (seconds, alert when over "
                           "alert_after). Today (UTC): volume per hour, first-response and handling time (median, "
                           "90th percentile, seconds), sentiment mix, per-agent load. Ingestion lag over the last hour "
                           "(provider timestamp → stored; stored → pushed to agents) and RQ jobs waiting per queue.",
            "operationId": "dashboard",
            "tags": ["reports"],
            "parameters": [{"name": "alert_after", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 240},
                            "description": "Minutes of waiting that raise the alert (default 5)."}],
            "responses": {
                "200": {"description": "The figures.", "content": {"application/json": {"schema": SUMMARY}}},
                "400": ERROR, "401": ERROR, "403": ERROR,
            },
        }
    },
    "/api/v1/interactions/{interaction_id}/export.zip": {
        "get": {
            "summary": "Download the session as a ZIP",
            "description": "transcript.html (opens offline), transcript.json and, when allowed, the attachments: admins "
                           "always, agents when the account's settings.zip_attachments is on.",
            "operationId": "export_interaction_zip",
            "tags": ["interactions"],
            "parameters": [{"name": "interaction_id", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{24}$"}}],
            "responses": {"200": {"description": "The ZIP.", "content": {"application/zip": {}}},
                          "401": ERROR, "403": ERROR, "404": ERROR},
        }
    },
}
