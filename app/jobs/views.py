"""My downloads, a job's page with its progress, download and retry; the export helper."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.actions import perform
from app.core.errors import DomainError
from app.core.listing import build_listing
from app.core.permissions import require
from app.extensions import db
from app.files.services import send_stored_file
from app.jobs import bp
from app.jobs.models import Job
from app.jobs.queries import failed_jobs, jobs_of, own_job_or_none
from app.jobs.services import (
    download_check,
    enqueue,
    is_large,
    kind_of,
    live_progress,
    retry_job,
    rows_done,
    start_job,
)


def export_or_job(kind_name, params, immediate):
    """Answer an export route: small files at once, large ones as a background job.

    GET: at most EXPORT_JOB_THRESHOLD_ROWS rows -> ``immediate()`` (the download as before);
    more -> a page with a "Prepare file" button that POSTs to the same URL. POST: the job is
    created, committed, handed to the queue, and the user sent to its page; the consumer counts
    the rows when it starts, so the request stays short whatever the size.
    """
    kind = kind_of(kind_name)
    if request.method == "GET":
        total = kind.count(db.session, current_user, params)
        if not is_large(total):
            return immediate()
        return render_template("jobs/prepare.html", kind=kind, total=total,
                               back=request.referrer)

    def launched(job):
        enqueue(db.session, job)
        flash(_("Your file is being prepared. You may leave this page: you will get a notice "
                "when it is ready."), "success")
        return redirect(url_for("jobs.show", job_id=job.id))

    # The rows are counted by the consumer when it starts: the request only queues the job.
    return perform(lambda: start_job(db.session, current_user, kind_name, params, None),
                   success=None, next_url=request.full_path, respond=launched)


def _own(job_id):
    job = own_job_or_none(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/")
@require("jobs.mine")
def my_downloads():
    """List the user's own jobs, newest first."""
    listing = build_listing(jobs_of(current_user), sorts={"created": Job.created_at},
                            default_sort="-created", search_columns=(Job.title,))
    return render_template("jobs/list.html", listing=listing, title=_("My downloads"),
                           rows_done=rows_done)


@bp.route("/failed")
@require("jobs.admin")
def failed():
    """List every failed job (administrators)."""
    listing = build_listing(failed_jobs(), sorts={"created": Job.created_at},
                            default_sort="-created", search_columns=(Job.title,))
    return render_template("jobs/list.html", listing=listing, title=_("Failed jobs"),
                           rows_done=rows_done, show_owner=True)


@bp.route("/<int:job_id>")
@require("jobs.mine")
def show(job_id):
    """Show one job: its progress bar, or its download, failure or expiry."""
    job = _own(job_id)
    return render_template("jobs/show.html", job=job, done=rows_done(job))


@bp.route("/<int:job_id>/progress")
@require("jobs.mine")
def progress(job_id):
    """Answer the progress bar's poll: state, rows done of total."""
    job = _own(job_id)
    done, saved = live_progress(job)
    total = job.rows_total or 0
    label = job.status_label if saved is None else _(
        "Compressing the file: %(percent)s%%", percent=saved)
    return jsonify(status=job.status, label=str(label), rows_done=done, saved=saved,
                   rows_total=total,
                   percent=100 if job.status == "ready" else (
                       min(99, int(done * 100 / total)) if total else 0),
                   done=job.status in ("ready", "failed", "expired"))


@bp.route("/<int:job_id>/download")
@require("jobs.mine")
def download(job_id):
    """Send the file of the user's ready job (the kind's permission is checked again)."""
    job = _own(job_id)
    try:
        stored = download_check(current_user, job)
    except DomainError as error:
        flash(str(error), "danger")
        return redirect(url_for("jobs.show", job_id=job.id))
    return send_stored_file(stored, as_attachment=True)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@require("jobs.mine")
def retry(job_id):
    """Put the user's failed job back in the queue."""
    job = _own(job_id)

    def relaunched(job):
        enqueue(db.session, job)
        flash(_("The file is being prepared again."), "success")
        return redirect(url_for("jobs.show", job_id=job.id))

    return perform(lambda: retry_job(db.session, current_user, job), success=None,
                   next_url=url_for("jobs.show", job_id=job.id), respond=relaunched)

