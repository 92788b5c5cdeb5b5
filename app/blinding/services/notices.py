"""Telling the sponsor contact and the monitor of a code break: never the arm."""

from flask import current_app, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.notify.services import queue_email, tell, users_with_roles


def compose_code_broken(record):
    """Return a composer of (subject, body) for a code break; no arm, no reason text."""
    subject = record.subject

    def compose():
        title = _("Code broken for subject %(s)s (%(trial)s)", s=subject.code,
                  trial=subject.trial.protocol_code)
        body = _("%(who)s broke the blind for subject %(s)s at site %(site)s on %(when)s UTC "
                 "(for an adverse event: %(ae)s). This notice does not name the treatment.",
                 who=record.broken_by.full_name, s=subject.code, site=subject.site.site_number,
                 when=format_datetime(record.broken_at), ae=_("yes") if record.adverse_event
                 else _("no"))
        return title, body
    return compose


def tell_code_broken(session, record):
    """Notify the site's monitors (notice and e-mail) and the sponsor contact (e-mail) at once."""
    compose = compose_code_broken(record)
    link = url_for("blinding.code_break_log")
    tell(session, users_with_roles(session, ["monitor"], record.subject.site_id), compose, link)
    for address in current_app.config.get("CODE_BREAK_SPONSOR_EMAILS", ()):
        title, body = compose()
        queue_email(session, address, title, body)
