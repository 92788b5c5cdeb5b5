"""One language per screen: every page of the demo, crawled as each demo user in Spanish and
in English, shows no raw key (`shipment_ordered`, `11: missing`) and no decimal separator of
the other language ("65.0 minutos", "menor que 21.97")."""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from app.auth.models import User

USERS = ("admin", "logistica", "farmacia", "ciego", "qp", "finanzas", "monitor", "paciente1",
         "cuidador1")
SKIP = re.compile(r"(\.pdf|\.xlsx|\.xml|\.csv|/download|/logout|/language|/jobs/|/files/|"
                  r"/reveal|/auth/)")
RAW_KEY = re.compile(r"(?<![\w.@/-])[a-z]+(?:_[a-z]+)+(?![\w.@/-])")
NUMBERED_KEY = re.compile(r"\b\d+: [a-z_]+\b")
WRONG_DECIMAL = {"es": re.compile(r"(?<![\w.,-])\d+\.\d{1,2}(?![\d.])"),
                 "en": re.compile(r"(?<![\w.,-])\d+,\d{1,2}(?![\d,])")}
PER_SHAPE = 2  # pages of one route shape (/shipments/N) to read
MAX_PAGES = 80
OTHERS_LANGUAGE = re.compile(r"^/admin/outbox")  # e-mails are in their recipient's language


def visible_text(html):
    html = re.sub(r"(?is)<(script|style|template|code|pre|textarea)\b.*?</\1>", " ", html)
    html = re.sub(r"(?is)<select\b.*?</select>", " ", html)  # option values are data
    return unescape(re.sub(r"<[^>]+>", " ", html))


def crawl(client):
    seen, shapes, found = set(), {}, {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        if "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        found[path] = visible_text(html)
        for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)', html):
            href = urldefrag(unescape(href))[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            shape = re.sub(r"\d+", "N", parts.path)
            if shapes.get(shape, 0) >= PER_SHAPE and parts.path not in seen:
                continue
            if parts.path not in seen:
                shapes[shape] = shapes.get(shape, 0) + 1
                queue.append(parts.path)
    return found


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_raw_key_and_no_foreign_decimal_on_any_page(client, demo, language):
    problems = []
    for name in USERS:
        user = demo.session.scalar(select(User).where(User.email == f"{name}@demo.example"))
        assert user is not None, name
        user.language = language
        demo.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        for path, text in crawl(client).items():
            patterns = (RAW_KEY, NUMBERED_KEY) if OTHERS_LANGUAGE.match(path) else (
                RAW_KEY, NUMBERED_KEY, WRONG_DECIMAL[language])
            for pattern in patterns:
                for match in pattern.finditer(text):
                    around = text[max(0, match.start() - 40):match.end() + 20]
                    problems.append(f"{name} {path}: {match.group(0)!r} in "
                                    f"{' '.join(around.split())!r}")
    assert problems == [], "\n".join(problems)
