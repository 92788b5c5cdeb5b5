"""Randomisation lists: everyone blinded sees that a list exists; the unblinded see its content."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.blinding import bp
from app.blinding.exports import list_sheet
from app.blinding.forms import GenerateListForm, RetireListForm, UploadListForm, VerifyListForm
from app.blinding.models import RandomisationList, RandomisationSlot
from app.blinding.queries import lists_waiting_for, visible_lists
from app.blinding.services.design import parse_arms, parse_block_sizes, parse_strata
from app.blinding.services.lists import (
    generate_list,
    retire_list,
    store_uploaded_list,
    verify_list,
)
from app.blinding.services.uploads import ListRefused, read_list_file
from app.core.actions import perform
from app.core.listing import build_listing
from app.core.permissions import require
from app.esign.services import signatures_for
from app.exports.excel import xlsx_response
from app.extensions import db
from app.trials.api import Trial, visible_trials


def _trial_choices():
    return [(t.id, f"{t.protocol_code} · {t.title}") for t in db.session.scalars(
        visible_trials(current_user, "blinding.lists").where(Trial.blinded.is_(True))
        .order_by(Trial.protocol_code))]


def _trial(form):
    trial = db.session.get(Trial, form.trial_id.data)
    if trial is None or not trial.blinded:
        abort(404)
    return trial


def _design(form):
    arms = parse_arms(form.arms.data)
    return {"arms": arms, "strata": parse_strata(form.strata.data)}


@bp.route("/lists")
@require("blinding.view")
def list_lists():
    """Every randomisation list of the trials the user sees: name, purpose, size, state."""
    lists = (lists_waiting_for(current_user) if request.args.get("waiting") == "verify"
             else visible_lists(current_user))
    listing = build_listing(
        lists,
        sorts={"name": RandomisationList.name, "created": RandomisationList.created_at},
        default_sort="-created", search_columns=(RandomisationList.name,))
    return render_template("blinding/lists.html", listing=listing)


def _visible_list_or_404(list_id):
    rlist = db.session.scalar(visible_lists(current_user).where(RandomisationList.id == list_id))
    if rlist is None:
        abort(404)
    return rlist


@bp.route("/lists/<int:list_id>")
@require("blinding.view")
def show_list(list_id):
    """A list: its state and verification; seed and numbers to the unblinded only."""
    rlist = _visible_list_or_404(list_id)
    slots = None
    if current_user.can("blinding.lists"):
        slots = build_listing(
            select(RandomisationSlot).where(RandomisationSlot.list_id == rlist.id),
            sorts={"number": RandomisationSlot.number, "stratum": RandomisationSlot.stratum},
            default_sort="number", search_columns=(RandomisationSlot.number,))
    return render_template(
        "blinding/list.html", rlist=rlist, slots=slots, verify_form=VerifyListForm(),
        retire_form=RetireListForm(), signatures=signatures_for(db.session, rlist),
        history=history_of(db.session, rlist))


@bp.route("/lists/<int:list_id>/numbers.xlsx")
@require("blinding.lists")
def list_xlsx(list_id):
    """A list's numbers as Excel (unblinded only)."""
    rlist = _visible_list_or_404(list_id)
    return xlsx_response(f"randomisation-list-{rlist.id}.xlsx", [list_sheet(db.session, rlist)])


@bp.route("/lists/generate", methods=["GET", "POST"])
@require("blinding.lists")
def generate():
    """Generate a permuted-block list (random block sizes, ratio, strata, recorded seed)."""
    form = GenerateListForm()
    form.trial_id.choices = _trial_choices()

    def act():
        design = _design(form)
        design["block_sizes"] = parse_block_sizes(form.block_sizes.data, design["arms"])
        design["per_stratum"] = form.per_stratum.data
        return generate_list(db.session, _trial(form), name=form.name.data,
                             purpose=form.purpose.data, parameters=design,
                             by=current_user, seed=form.seed.data)

    return perform(act, form=form, render=lambda: render_template(
        "blinding/list_form.html", form=form, title=_("Generate a randomisation list")),
        success=lambda rlist: _("List %(name)s generated: %(n)s numbers. A second unblinded "
                                "user must verify it before use.", name=rlist.name,
                                n=rlist.size),
        next_url=lambda rlist: url_for("blinding.show_list", list_id=rlist.id))


@bp.route("/lists/upload", methods=["GET", "POST"])
@require("blinding.lists")
def upload():
    """Upload the statistician's list (CSV or Excel) with a column mapping."""
    form = UploadListForm()
    form.trial_id.choices = _trial_choices()
    bad_lines = []

    def act():
        design = _design(form)
        mapping = {"number": form.number_column.data, "block": form.block_column.data,
                   "arm": form.arm_column.data, "stratum": form.stratum_column.data}
        try:
            entries = read_list_file(form.file.data.read(), form.file.data.filename or "",
                                     design, mapping)
        except ListRefused as refused:
            bad_lines.extend(refused.lines)
            raise
        return store_uploaded_list(db.session, _trial(form), name=form.name.data,
                                   purpose=form.purpose.data, parameters=design,
                                   entries=entries, by=current_user)

    return perform(act, form=form, render=lambda: render_template(
        "blinding/list_form.html", form=form, bad_lines=bad_lines, upload=True,
        title=_("Upload a randomisation list")),
        success=lambda rlist: _("List %(name)s uploaded: %(n)s numbers. A second unblinded "
                                "user must verify it before use.", name=rlist.name,
                                n=rlist.size),
        next_url=lambda rlist: url_for("blinding.show_list", list_id=rlist.id))


@bp.route("/lists/<int:list_id>/verify", methods=["POST"])
@require("blinding.lists")
def verify(list_id):
    """Verify a list by e-signature (a second unblinded user)."""
    rlist = _visible_list_or_404(list_id)
    form = VerifyListForm()
    return perform(lambda: verify_list(db.session, rlist, by=current_user,
                                       password=form.password.data),
                   form=form, success=_("List verified; it can now be used."),
                   next_url=url_for("blinding.show_list", list_id=rlist.id))


@bp.route("/lists/<int:list_id>/retire", methods=["POST"])
@require("blinding.lists")
def retire(list_id):
    """Take a list out of use."""
    rlist = _visible_list_or_404(list_id)
    form = RetireListForm()
    return perform(lambda: retire_list(db.session, rlist, by=current_user,
                                       reason=form.reason.data),
                   form=form, success=_("List retired."),
                   next_url=url_for("blinding.show_list", list_id=rlist.id))

