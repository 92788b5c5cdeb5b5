"""Label templates: list, write, the validator, a preview, QA approval, versions."""

import io

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing, where_choice_args
from app.core.permissions import require
from app.core.queries import get_or_404
from app.core.states import apply_transition
from app.esign.services import signatures_for
from app.exports.pdf import pdf_response
from app.extensions import db
from app.labelling import bp
from app.labelling.forms import ApproveForm, RetireForm, TemplateForm
from app.labelling.models import PACKAGINGS, TEMPLATE_STATUSES, LabelTemplate
from app.labelling.services.render import write_pdf
from app.labelling.services.templates import (
    PARTICULARS,
    approve_template,
    check_fits,
    new_version,
    sample_label,
    save_template,
    summary,
    validate,
)
from app.labelling.states import LABEL_TEMPLATE
from app.stock.api import Product
from app.trials.api import Trial, within_sponsors


@bp.route("/templates")
@require("labelling.view")
def list_templates():
    """List label templates, filtered by trial, packaging and status."""
    stmt = within_sponsors(select(LabelTemplate).join(Trial, Trial.id == LabelTemplate.trial_id),
                           current_user, Trial.id)
    stmt = where_choice_args(stmt, request.args, {
        "status": (LabelTemplate.status, TEMPLATE_STATUSES),
        "packaging": (LabelTemplate.packaging, PACKAGINGS)})
    listing = build_listing(stmt, sorts={"name": LabelTemplate.name, "trial": Trial.protocol_code,
                                         "updated": LabelTemplate.updated_at},
                            default_sort="-updated",
                            search_columns=(LabelTemplate.name, Trial.protocol_code))
    trials = db.session.scalars(within_sponsors(select(Trial), current_user, Trial.id)
                                   .order_by(Trial.protocol_code)).all()
    return render_template("labelling/templates.html", listing=listing, trials=trials)


def _template_form(trial, obj=None):
    form = TemplateForm(obj=obj)
    form.product_id.choices = [(0, "—")] + [(p.id, str(p)) for p in db.session.scalars(
        select(Product).order_by(Product.name))]
    return form


def _form_page(form, trial, template=None):
    return render_template("labelling/template_form.html", form=form, trial=trial,
                           template=template, particulars=PARTICULARS)


@bp.route("/trials/<int:trial_id>/templates/new", methods=["GET", "POST"])
@require("labelling.manage")
def new_template(trial_id):
    """Write a label template for a trial."""
    trial = get_or_404(Trial, trial_id)
    form = _template_form(trial)
    return perform(lambda: save_template(db.session, trial, form.data), form=form,
                   render=lambda: _form_page(form, trial),
                   success=lambda t: _("Template %(name)s saved as a draft.", name=t.name),
                   next_url=lambda t: url_for("labelling.show_template", template_id=t.id))


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@require("labelling.manage")
def edit_template(template_id):
    """Change a draft template."""
    template = get_or_404(LabelTemplate, template_id)
    form = _template_form(template.trial, obj=template)
    return perform(lambda: save_template(db.session, template.trial, form.data, template),
                   form=form, render=lambda: _form_page(form, template.trial, template),
                   success=_("Template saved."),
                   next_url=url_for("labelling.show_template", template_id=template.id))


def _template_page(template, approve=None, retire=None):
    checks = validate(template)
    present, required = summary(checks)
    try:
        check_fits(template)
        fit_problem = None
    except DomainError as error:
        fit_problem = str(error)
    return render_template(
        "labelling/template.html", template=template, checks=checks, present=present,
        required=required, fit_problem=fit_problem,
        approve_form=approve or ApproveForm(formdata=None, meaning="approved"),
        retire_form=retire or RetireForm(formdata=None),
        signatures=signatures_for(db.session, template), history=history_of(db.session,
                                                                             template))


@bp.route("/templates/<int:template_id>")
@require("labelling.view")
def show_template(template_id):
    """Show a template: the validator's checklist, its preview, approval and history."""
    return _template_page(get_or_404(LabelTemplate, template_id))


@bp.route("/templates/<int:template_id>/preview.pdf")
@require("labelling.view")
def preview_template(template_id):
    """Render one sample label with the widest values (nothing is recorded)."""
    template = get_or_404(LabelTemplate, template_id)
    buffer = io.BytesIO()
    try:
        write_pdf(buffer, template, [sample_label(template)], "roll", title=template.name)
    except DomainError:
        return _template_page(template), 422
    return pdf_response(f"label-{template.id}-v{template.version}.pdf", buffer.getvalue(),
                        inline=True)


@bp.route("/templates/<int:template_id>/approve", methods=["POST"])
@require("labelling.approve")
def approve(template_id):
    """QA approves the template with an e-signature."""
    template = get_or_404(LabelTemplate, template_id)
    form = ApproveForm()
    return perform(lambda: approve_template(db.session, template, signer=current_user,
                                            password=form.password.data,
                                            comment=form.comment.data),
                   form=form, render=lambda: _template_page(template, approve=form),
                   success=_("Template approved."),
                   next_url=url_for("labelling.show_template", template_id=template.id))


@bp.route("/templates/<int:template_id>/version", methods=["POST"])
@require("labelling.manage")
def copy_template(template_id):
    """Start the next version of a template as a draft."""
    template = get_or_404(LabelTemplate, template_id)
    return perform(lambda: new_version(db.session, template),
                   success=lambda t: _("Version %(v)s created as a draft.", v=t.version),
                   next_url=lambda t: url_for("labelling.edit_template", template_id=t.id),
                   refused_url=url_for("labelling.show_template", template_id=template.id))


@bp.route("/templates/<int:template_id>/retire", methods=["POST"])
@require("labelling.manage")
def retire(template_id):
    """Retire an approved template, with a reason."""
    template = get_or_404(LabelTemplate, template_id)
    form = RetireForm()
    return perform(lambda: apply_transition(db.session, LABEL_TEMPLATE, template, "retire",
                                            by=current_user, reason=form.reason.data),
                   form=form, render=lambda: _template_page(template, retire=form),
                   success=_("Template retired."),
                   next_url=url_for("labelling.show_template", template_id=template.id))
