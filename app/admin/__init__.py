"""Account administration: users, roles, sites, invitations, the e-mail outbox."""

import re

from flask import Blueprint

bp = Blueprint("admin", __name__)

INVITATION_LINK = re.compile(r"/auth/invitation/[A-Za-z0-9._-]+")


@bp.app_template_filter("hide_invitation_links")
def hide_invitation_links(text):
    """Blank the tokens of password-setting links: only the recipient may hold them."""
    return INVITATION_LINK.sub("/auth/invitation/••••••", text or "")

from app.admin import views  # noqa: E402, F401
