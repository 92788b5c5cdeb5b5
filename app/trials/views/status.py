"""Status moves of trials, sites and subjects: the panel on their pages and the one POST."""

from flask_login import current_user

from app.core.actions import perform
from app.extensions import db
from app.trials.forms import StatusForm
from app.trials.states import EVENT_LABELS


def status_panel(machine, record, status_form=None):
    """Return what a record page needs to offer its status moves (the form as typed, if any)."""
    return dict(status_form=status_form or StatusForm(formdata=None),
                transitions=machine.available(record, current_user), event_labels=EVENT_LABELS)


def change_status(record, change, *, page, success, next_url):
    """Apply the status move the form names, giving its reason; a refusal shows the page again."""
    form = StatusForm()
    return perform(
        lambda: change(db.session, record, form.event.data, by=current_user,
                       reason=form.reason.data),
        form=form, render=lambda: page(record, status_form=form), success=success,
        next_url=next_url)
