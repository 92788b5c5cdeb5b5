"""Choose the language and time zone of each request."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user

# Dates and numbers follow a region: British English is day-first, Spanish Spain's.
REGIONS = {"en": "en_GB", "es": "es_ES"}


def select_locale():
    """Return the user's language (with its region), else the session's, the browser's, es."""
    language = _select_language()
    return REGIONS.get(language, language)


def _select_language():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def select_timezone():
    """Return the display time zone (storage is always UTC)."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
