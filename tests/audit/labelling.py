"""Helpers of the label tests: what a raw key looks like, and which keys lack a label."""

import re

from flask_babel import force_locale

LANGUAGES = ("es", "en")
# A raw key: lower-case words joined by underscores (kit_transfer_out, car_mileage).
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def problems_of(keys, declared):
    """Return the keys without a declared label, or whose Spanish label is the raw key.

    keys holds (key, raw) pairs; a tuple key is passed to ``declared`` as arguments.
    """
    missing = []
    for key, raw in keys:
        for language in LANGUAGES:
            with force_locale(language):
                label = declared(*key) if isinstance(key, tuple) else declared(key)
                if label is None:
                    missing.append(f"{key}: no label")
                    break
                if language == "es" and str(label) == raw:
                    missing.append(f"{key}: Spanish label is the raw key")
    return missing
