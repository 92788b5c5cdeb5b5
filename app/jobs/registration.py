"""Background jobs: My downloads for everyone who exports, failed jobs for administrators."""

from flask_babel import lazy_gettext as _l

from app.audit.labels import per_type
from app.core.domains import Domain, MenuEntry, WorkQueue
from app.jobs import bp
from app.jobs.models import JOB_STATUSES


def template_labels():
    """Give templates the translated labels of job states."""
    return {"job_statuses": JOB_STATUSES}


def _failed_url(user):
    from flask import url_for

    return url_for("jobs.failed")


def _count_failed(session, user):
    from app.jobs.queries import count_failed

    return count_failed(session, user)


# Everyone who can export something gets "My downloads"; patients export nothing.
_EXPORTERS = ("admin", "logistics", "site", "unblinded", "qp", "finance", "monitor")

DOMAIN = Domain(
    name="jobs",
    blueprints=((bp, "/jobs"),),
    permissions={**{role: {"jobs.mine"} for role in _EXPORTERS},
                 "admin": {"jobs.mine", "jobs.admin"}},
    menu=(MenuEntry(_l("My downloads"), "jobs.my_downloads", "jobs.mine", order=900,
                    personal=True),),
    audit_actions={
        "job_start": _l("Background job started"),
        "job_finish": _l("Background job finished: file ready"),
        "job_fail": _l("Background job failed"),
        "job_retry": _l("Background job retried"),
        "job_expire": _l("File of a background job expired"),
    },
    audit_fields={
        "job_id": _l("Background job"),
        **per_type(
            "job", owner_id=_l("Asked for by"), kind=_l("Kind of file"), title=_l("Title"),
            params=_l("Filters"), rows_done=_l("Rows written"), rows_total=_l("Rows"),
            file_id=_l("File"), file_name=_l("File name"),
            sha256=_l("Fingerprint (SHA-256)"), error=_l("Reason of the failure"),
            attempts=_l("Attempts"), expires_at=_l("Expires (UTC)"),
            started_at=_l("Started (UTC)"), finished_at=_l("Finished (UTC)")),
    },
    audit_values={("job", "status"): JOB_STATUSES},
    record_types={"job": _l("Background job")},
    state_machines=("app.jobs.states",),
    work_queues=(WorkQueue("failed_jobs", _l("Failed jobs"), "jobs.admin", _count_failed,
                           _failed_url, urgency=10),),
    template_labels=template_labels,
)
