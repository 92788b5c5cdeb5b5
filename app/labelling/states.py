"""The labelling state machines, declared as data: templates, label runs, relabel campaigns.

A lot's own status (quarantine -> certified -> released) is the stock ``lot`` machine; the
labelling services drive its ``certify`` and ``release`` events.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.labelling.models import (
    CAMPAIGN_STATUSES,
    RUN_STATUSES,
    TEMPLATE_STATUSES,
    ExpiryExtension,
    LabelRun,
    LabelTemplate,
)

LABEL_TEMPLATE = StateMachine(
    name="label_template",
    model=LabelTemplate,
    states=TEMPLATE_STATUSES,
    transitions=[
        Transition(None, "draft", "draft", permission="labelling.manage"),
        Transition("draft", "approve", "approved", permission="labelling.approve",
                   signature="approved"),
        Transition("approved", "retire", "retired", permission="labelling.manage",
                   reason=True),
    ],
    record_name=_l("Label template"),
    label_of=lambda t: _("Label template %(name)s v%(version)s", name=t.name,
                         version=t.version),
    stamps={"approved": "approved_at"},
    audit_action=lambda event: f"label_template_{event}",
)

LABEL_RUN = StateMachine(
    name="label_run",
    model=LabelRun,
    states=RUN_STATUSES,
    transitions=[
        Transition(None, "request", "requested", permission="labelling.print"),
        Transition("requested", "print", "printed"),
        Transition("printed", "close", "closed", permission="labelling.print"),
    ],
    record_name=_l("Label run"),
    label_of=lambda run: _("Label run %(run)s", run=run.audit_label()),
    stamps={"printed": "printed_at", "closed": "closed_at"},
    audit_action=lambda event: f"label_run_{event}",
)

RELABEL_CAMPAIGN = StateMachine(
    name="relabel_campaign",
    model=ExpiryExtension,
    states=CAMPAIGN_STATUSES,
    transitions=[
        Transition(None, "open", "open", permission="labelling.extend"),
        Transition("open", "close", "closed", permission="labelling.manage"),
    ],
    record_name=_l("Relabel campaign"),
    label_of=lambda c: _("Relabel campaign of lot %(lot)s", lot=c.lot.number),
    stamps={"closed": "closed_at"},
    audit_action=lambda event: f"relabel_campaign_{event}",
    audit_type="expiry_extension",
)
