"""Import, QP certification, release per country, label templates, label runs, relabelling."""

from flask import Blueprint

bp = Blueprint("labelling", __name__)

from app.labelling.views import imports, labels, relabel, templates  # noqa: E402, F401
