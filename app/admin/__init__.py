"""Account administration: users, roles, sites, invitations, the e-mail outbox."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import views  # noqa: E402, F401
