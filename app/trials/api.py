"""The trials domain's public entry point: the only module other domains import."""

from app.trials.models import Site, Subject, SubjectIdentity, Trial, TrialVisit
from app.trials.queries import (
    can_see_identity,
    can_see_site,
    can_see_trial,
    site_choices,
    sponsor_names,
    visible_sites,
    visible_subjects,
    visible_trials,
    within_sponsors,
)

__all__ = [
    "Site", "Subject", "SubjectIdentity", "Trial", "TrialVisit",
    "can_see_identity", "can_see_site", "site_choices", "visible_sites", "visible_subjects",
    "visible_trials", "can_see_trial", "sponsor_names", "within_sponsors",
]
