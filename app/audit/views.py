"""The searchable audit log, its Excel export and the history of one record."""

from datetime import UTC, datetime, time, timedelta

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, select

from app.audit import bp
from app.audit.exports import filters_as_params, log_sheet
from app.audit.forms import AuditFilterForm
from app.audit.labels import (
    action_label,
    entry_labels,
    record_type_label,
)
from app.audit.models import AuditEntry
from app.audit.queries import log_statement
from app.core.listing import build_listing
from app.core.permissions import require
from app.exports.excel import xlsx_response
from app.extensions import db


def _filters(form):
    def start(d):
        return datetime.combine(d, time.min, tzinfo=UTC) if d else None

    user = form.user.data
    return dict(
        user_id=int(user) if user and user.isdigit() else None,
        entity_type=form.entity_type.data or None,
        entity_id=(form.entity_id.data or "").strip() or None,
        action=form.action.data or None,
        date_from=start(form.date_from.data),
        date_to=start(form.date_to.data + timedelta(days=1)) if form.date_to.data else None,
        text=(request.args.get("q") or "").strip()[:100] or None,
    )


def _filter_form():
    form = AuditFilterForm(request.args)
    users = db.session.execute(
        select(AuditEntry.user_id, AuditEntry.user_name)
        .where(AuditEntry.user_id.is_not(None)).distinct().order_by(AuditEntry.user_name)
    ).all()
    form.user.choices = [("", _("Anyone"))] + [(str(u), n) for u, n in users]
    types = db.session.scalars(select(distinct(AuditEntry.entity_type)).order_by(
        AuditEntry.entity_type)).all()
    form.entity_type.choices = [("", _("Any"))] + sorted(
        ((t, record_type_label(t)) for t in types), key=lambda choice: choice[1].lower())
    actions = db.session.scalars(select(distinct(AuditEntry.action)).order_by(
        AuditEntry.action)).all()
    form.action.choices = [("", _("Any"))] + sorted(
        ((a, action_label(a)) for a in actions), key=lambda choice: choice[1].lower())
    form.validate()
    return form


@bp.route("/")
@require("audit.view")
def log():
    """Search the audit trail by user, record and date range."""
    form = _filter_form()
    listing = build_listing(
        log_statement(**_filters(form), reader=current_user),
        sorts={"id": AuditEntry.id},
        default_sort="-id",  # ?q= is one of the filters: the Excel holds what was found
        per_page=50,
    )
    return render_template("audit/log.html", form=form, listing=listing)


@bp.route("/export.xlsx", methods=["GET", "POST"])
@require("audit.view")
def export_log():
    """Download the filtered audit log as Excel (a background job when it is large)."""
    from app.jobs.views import export_or_job  # here: app.jobs imports the audit models

    # The filters only: the form's choices (three scans of the trail) are for the screen.
    filters = _filters(AuditFilterForm(request.args))
    return export_or_job(
        "audit_log", filters_as_params(db.session, filters),
        lambda: xlsx_response("audit-trail.xlsx", [log_sheet(db.session, filters, current_user)]))


@bp.route("/history/<entity_type>/<entity_id>")
@require("audit.view")
def history(entity_type, entity_id):
    """Show every entry about one record."""
    if len(entity_type) > 64 or len(entity_id) > 64:
        abort(404)
    entries = db.session.scalars(
        log_statement(entity_type=entity_type, entity_id=entity_id,
                      reader=current_user).order_by(
            AuditEntry.id.desc())
    ).all()
    if not entries:
        abort(404)
    name = entry_labels().record(entries[0]) or f"#{entity_id}"
    return render_template("audit/history.html", entries=entries,
                           record_type=record_type_label(entity_type), record_name=name)
