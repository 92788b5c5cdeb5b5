"""Rows of the trial list for Excel and the trial summary PDF story."""

from flask_babel import gettext as _

from app.exports.pdf import para, table
from app.trials.models import TRIAL_KINDS, TRIAL_STATUSES


def trial_headers():
    """Return the column titles of the trial list export."""
    return [_("Protocol code"), _("EU CT number"), _("Title"), _("Sponsor"), _("Phase"),
            _("Type"), _("Status"), _("Blinded"), _("Countries"), _("Sites"),
            _("Main contact"), _("Telephone")]


def trial_rows(trials, site_counts):
    """Yield one row per trial."""
    for t in trials:
        yield [t.protocol_code, t.eu_ct_number, t.title, t.sponsor, t.phase,
               str(TRIAL_KINDS[t.kind]), str(TRIAL_STATUSES[t.status]),
               _("Yes") if t.blinded else _("No"), t.countries, site_counts.get(t.id, 0),
               t.contact_name, t.contact_phone]


def trial_summary_story(trial):
    """Return the flowables of a trial's set-up summary."""
    rows = [
        [_("Protocol code"), trial.protocol_code], [_("EU CT number"), trial.eu_ct_number or ""],
        [_("Title"), trial.title], [_("Sponsor"), trial.sponsor], [_("Phase"), trial.phase],
        [_("Type"), str(TRIAL_KINDS[trial.kind])],
        [_("Status"), str(TRIAL_STATUSES[trial.status])],
        [_("Blinded"), _("Yes") if trial.blinded else _("No")],
        [_("Countries"), trial.countries],
        [_("Main contact"),
         f"{trial.contact_name}, {trial.contact_address}, {trial.contact_phone}"],
    ]
    visits = [[v.number, v.name, v.day_offset, f"-{v.window_before} / +{v.window_after}"]
              for v in trial.visits if v.active]
    return [
        table([_("Field"), _("Value")], rows, col_widths=[120, 360]),
        para(""),
        para(_("Visit schedule"), "Heading2"),
        table([_("Visit"), _("Name"), _("Day"), _("Window (days)")], visits,
              col_widths=[50, 250, 60, 120]),
    ]
