"""Emergency code break: one subject, reason, e-signature; the breaker sees that arm only."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blinding import bp
from app.blinding.exports import code_break_sheet
from app.blinding.forms import CodeBreakForm
from app.blinding.models import CodeBreak
from app.blinding.queries import visible_breaks
from app.blinding.services.randomise import arm_of_subject, break_code, randomisation_of
from app.blinding.views.randomise import visible_subject_or_404
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.exports.excel import xlsx_response
from app.extensions import db
from app.trials.api import Subject


@bp.route("/subjects/<int:subject_id>/break", methods=["GET", "POST"])
@require("blinding.break")
def break_subject_code(subject_id):
    """Break the blind for this subject (reason, adverse event flag, e-signature)."""
    subject = visible_subject_or_404(subject_id, "blinding.break")
    form = CodeBreakForm()
    return perform(
        lambda: break_code(db.session, subject, reason=form.reason.data,
                           adverse_event=form.adverse_event.data, by=current_user,
                           password=form.password.data),
        form=form, render=lambda: render_template(
            "blinding/break.html", form=form, subject=subject,
            randomisation=randomisation_of(db.session, subject)),
        success=_("The code is broken; the sponsor contact and the monitor have been told."),
        next_url=lambda record: url_for("blinding.show_code_break", break_id=record.id))


@bp.route("/code-breaks")
@require("blinding.breaks")
def code_break_log():
    """The code-break log: who broke which subject's code, when and why (never the arm)."""
    listing = build_listing(
        visible_breaks(current_user).join(Subject, Subject.id == CodeBreak.subject_id),
        sorts={"when": CodeBreak.broken_at, "subject": Subject.code},
        default_sort="-when", search_columns=(Subject.code,))
    return render_template("blinding/code_breaks.html", listing=listing)


@bp.route("/code-breaks.xlsx")
@require("blinding.breaks")
def code_break_log_xlsx():
    """The code-break log as Excel (never the arm)."""
    return xlsx_response("code-breaks.xlsx",
                         [code_break_sheet(db.session, visible_breaks(current_user))])


@bp.route("/code-breaks/<int:break_id>")
@require("blinding.breaks")
def show_code_break(break_id):
    """A code break; its breaker (and the unblinded role) read that subject's arm here."""
    record = db.session.scalar(visible_breaks(current_user).where(CodeBreak.id == break_id))
    if record is None:
        abort(404)
    arm = None
    if record.broken_by_id == current_user.id or current_user.can("blinding.arms"):
        arm = arm_of_subject(db.session, record.subject)
    return render_template("blinding/code_break.html", record=record, arm=arm)
