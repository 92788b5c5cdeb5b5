"""Status badges: every state has one family, every family one colour, no page paints its own."""

import re

from app.core.badges import FAMILIES, STATE_FAMILIES, has_family, state_family
from app.core.domains import installed
from app.core.states import machines
from tests.dbsetup import ROOT

CSS = ROOT / "app" / "static" / "css" / "app.css"
TEMPLATES = ROOT / "templates"
BADGE_MACROS = TEMPLATES / "_macros" / "badges.html"


def state_labels(app):
    """Return {kind: {state: label}} from every dict of states the domains give templates."""
    found = {}
    with app.test_request_context():
        for domain in installed():
            if domain.template_labels is None:
                continue
            for key, labels in domain.template_labels().items():
                if key.endswith(("_statuses", "_states")):
                    found[key.rsplit("_", 1)[0]] = labels
    return found


def test_no_two_domains_give_templates_the_same_label_name(app):
    """Template labels are one namespace: a second "batch_statuses" would replace the first
    on every page (payment batches showed destruction batch states)."""
    owners = {}
    with app.test_request_context():
        for domain in installed():
            for key in (domain.template_labels() if domain.template_labels else {}):
                owners.setdefault(key, []).append(domain.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_every_state_shown_to_people_has_a_family(app):
    kinds = state_labels(app)
    assert {"kit", "lot", "shipment", "claim", "batch", "trial", "site", "subject"} <= set(kinds)
    for machine in machines().values():
        kinds.setdefault(machine.name, {}).update(machine.states)
    missing = sorted(f"{kind}: {state}" for kind, states in kinds.items() for state in states
                     if not has_family(state, kind))
    assert missing == []


def test_a_state_word_keeps_its_family_unless_declared_for_its_kind():
    assert state_family("released", "lot") == "success"
    assert state_family("released", "batch") == "info"
    assert state_family("draft", "shipment") == state_family("draft", "claim") == "neutral"
    assert state_family("no-such-state") == "neutral"
    assert set(STATE_FAMILIES.values()) <= set(FAMILIES)


def test_each_family_has_exactly_one_colour_rule_and_nothing_else_colours_a_badge():
    css = CSS.read_text()
    for family in FAMILIES:
        assert len(re.findall(rf"\.badge\.state-{family}\s*\{{", css)) == 1, family
    assert re.findall(r"\.badge\.(?!state-)[\w-]+\s*[{,]", css) == []


def test_no_template_paints_a_state_by_hand():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path == BADGE_MACROS:
            continue
        text = path.read_text()
        for pattern in (r"text-bg-(success|warning|danger|info|primary)", r"badge (status|state)-",
                        r"kit-state", r"expiry-(ok|dns|dnd|expired)\b"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_the_badge_shows_words_and_the_family_colour(app):
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "_macros/badges.html" import status_badge %}'
            "{{ status_badge('batch', 'released', {'released': 'Released'}) }}"
            "{{ status_badge('kit', 'damaged', 'Damaged') }}")
        html = template.render()
    assert html == ('<span class="badge state-info" data-state="released">Released</span>'
                    '<span class="badge state-danger" data-state="damaged">Damaged</span>')
