"""The job state machine (data only; app.core.states applies it).

The queued -> running UPDATE is conditional, so of two consumers picking the same job exactly
one runs it.
"""

from flask_babel import lazy_gettext as _l

from app.core.states import StateMachine, Transition
from app.jobs.models import JOB_STATUSES, Job

JOB = StateMachine(
    name="job",
    model=Job,
    states=JOB_STATUSES,
    record_name=_l("Job"),
    label_of=lambda job: job.title,
    transitions=[
        Transition("queued", "start", "running"),
        Transition("running", "finish", "ready"),
        Transition("running", "fail", "failed"),
        # A consumer that died mid-job leaves it running; the sweep marks it failed.
        Transition("queued", "fail", "failed"),
        Transition("failed", "retry", "queued"),
        Transition("ready", "expire", "expired"),
    ],
    stamps={"running": "started_at", "ready": "finished_at", "failed": "finished_at"},
    audit_action=lambda event: f"job_{event}",
)
