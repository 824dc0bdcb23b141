"""The assistant's process-wide settings, set once by create_app from the configuration."""

_state = {"timeout": 10.0, "debounce": 2.0}


def configure(timeout, debounce):
    _state["timeout"] = float(timeout)
    _state["debounce"] = max(0.0, float(debounce))


def timeout():
    """Seconds the endpoint gets to answer (connect and each read) before the assistant hands over."""
    return _state["timeout"]


def debounce():
    """Seconds of customer quiet the assistant waits for, so a burst of messages gets one answer."""
    return _state["debounce"]
