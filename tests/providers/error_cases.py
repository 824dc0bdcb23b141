"""Providers' error answers to a send (fixtures composed from their error pages) and what the adapter makes of them."""

#: fixture -> (provider, HTTP status, code, category, retryable as the error table says)
SEND_ERRORS = {
    "meta/response_error_131026_undeliverable.json": ("meta", 400, "131026", "invalid_recipient", False),
    "meta/response_error_131056_pair_rate_limit.json": ("meta", 400, "131056", "rate_limited", True),
    "meta/response_error_132001_template_missing.json": ("meta", 404, "132001", "bad_request", False),
    "meta/response_error_368_policy_block.json": ("meta", 400, "368", "bad_request", False),
    "twilio/response_error_63024.json": ("twilio", 400, "63024", "invalid_recipient", False),
    "twilio/response_error_63018_rate_limit.json": ("twilio", 429, "63018", "rate_limited", True),
    "kaleyra/v2_response_error_wav2101.json": ("kaleyra", 400, "WAV2101", "rate_limited", False),
}
