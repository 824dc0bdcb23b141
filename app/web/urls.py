"""URLs as Werkzeug builds them for a request, remembered: providers call the same URL every time."""

import functools

from werkzeug.sansio.utils import get_current_url


@functools.lru_cache(maxsize=1024)
def current_url(scheme, host, root_path=None, path=None, query_string=None):
    """What ``request.url`` (or, with scheme and host alone, ``request.host_url``) is."""
    return get_current_url(scheme, host, root_path, path, query_string)
