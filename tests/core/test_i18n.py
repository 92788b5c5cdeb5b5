"""Every string the code marks for translation has one Spanish translation."""

from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import translation_directories

APP = Path(__file__).resolve().parents[2] / "app"
ROOT = APP.parent
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def catalogue_entries():
    """Yield (domain, context, msgid, translation) for every translated message."""
    for directory in translation_directories():
        domain = directory.split("/")[0]
        with open(APP / directory / "es" / "LC_MESSAGES" / "messages.po", "rb") as f:
            for message in read_po(f):
                if message.id and message.string and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) \
                        else message.string[0]
                    if text:
                        yield domain, message.context, key, text


def source_messages():
    for folder in (APP, ROOT / "templates"):
        for filename, _lineno, message, _comments, context in extract_from_dir(
                str(folder), METHODS, keywords=KEYWORDS):
            yield filename, context, message if isinstance(message, str) else message[0]


def test_every_message_has_a_spanish_translation():
    translated = {(ctx, key) for _d, ctx, key, _t in catalogue_entries()}
    missing = sorted({f"{name}: {msg}" for name, ctx, msg in source_messages()
                      if (ctx, msg) not in translated})
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing[:50])


def test_no_message_is_translated_two_ways():
    # All catalogues merge into one: a msgid translated differently in two domains would
    # show whichever loads last. Words whose Spanish depends on use take a context (pgettext).
    seen = defaultdict(dict)
    for domain, ctx, key, text in catalogue_entries():
        seen[(ctx, key)][domain] = text
    clashes = {key: by_domain for key, by_domain in seen.items()
               if len(set(by_domain.values())) > 1}
    assert clashes == {}


def test_the_interface_speaks_spanish_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Iniciar sesión" in page and 'lang="es"' in page


def test_english_when_chosen(client):
    client.post("/language", data={"lang": "en", "next": "/auth/login"})
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page


def test_money_and_dates_follow_the_language(app):
    from datetime import date
    from decimal import Decimal

    from flask_babel import force_locale

    from app.core.templating import local_date, money

    with app.test_request_context():
        with force_locale("es"):
            assert money(Decimal("1234.5")) == "1.234,50\xa0€"
            assert local_date(date(2026, 3, 1)) == "1 mar 2026"
        with force_locale("en"):
            assert money(Decimal("1234.5")) == "€1,234.50"
            assert local_date(date(2026, 3, 1)) == "Mar 1, 2026"
