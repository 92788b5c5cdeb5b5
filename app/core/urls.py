"""URL helpers: only ever redirect within this site."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


class BoundedIntConverter(IntegerConverter):
    """An <int:...> URL part that only matches ids a database column can hold (else 404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def safe_next(target):
    """Return target if it is a local path, else None (no open redirects)."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target
