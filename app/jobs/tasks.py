"""The job tasks: build one file, and the periodic sweep that expires old files."""

from huey import crontab

from app.jobs.queue import huey, in_app_context


@huey.task()
@in_app_context
def run_job(job_id):
    """Build the file of one job (a second consumer given the same job does nothing)."""
    from app.extensions import db
    from app.jobs.services import run

    return run(db.session, job_id)


@huey.periodic_task(crontab(minute="17"))
@huey.lock_task("jobs-sweep")
@in_app_context
def sweep_jobs():
    """Every hour: remove the files of expired jobs, fail jobs whose consumer died."""
    from app.extensions import db
    from app.jobs.services import sweep

    return sweep(db.session)
