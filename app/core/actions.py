"""The one way a view changes something: call the service, commit once, flash, redirect.

On a refusal the transaction is rolled back and the form is shown again with what the user
typed and each message beside its field (or, for a button on a detail page, the message is
flashed on the page it came from). A refused e-signature keeps only its failed-attempt audit
entry (and any signing lock): that rule lives here and nowhere else.
"""

from flask import flash, redirect, request

from app.core.errors import DomainError
from app.core.xhr import form_errors, json_answer, wants_json
from app.extensions import db


def attach_error(form, error, default_field=None):
    """Show a service error under the field it names (or the default one, or the form)."""
    if getattr(error, "errors", None) and form is not None:
        for field, message in error.errors:
            attach_error(form, DomainError(message, field), default_field)
        return
    name = getattr(error, "field", None) or default_field
    target = getattr(form, name, None) if (form is not None and name) else None
    if form is None:
        return
    if target is None or not hasattr(target, "errors"):
        form.form_errors.append(str(error))
    else:
        target.errors = list(target.errors) + [str(error)]


def first_form_error(form):
    """Return the first message of a form that did not validate."""
    for errors in (form.form_errors, *(f.errors for f in form)):
        for message in errors or ():
            return str(message)
    return None


def roll_back_refusal(error):
    """Undo the request's writes; keep a refused signature's failed-attempt record."""
    db.session.rollback()
    keep = getattr(error, "keep", None)
    if keep is not None:
        keep(db.session)
        db.session.commit()


def record_read(write):
    """Commit the audit entry of a read that must itself be recorded (an identity opened).

    The one write a GET may make: ``write(session)`` queues the audit event, nothing else.
    """
    write(db.session)
    db.session.commit()


def commit_first(write):
    """Commit ``write(session)`` at once, before the work it guards, and return its result.

    For a counter that must be durable before a slow check runs: a password attempt is
    claimed (counted, and locked at the limit) before argon2 looks at the password, so
    parallel guesses queue on the row instead of reading a stale count. Nothing else of the
    request may have been written yet.
    """
    result = write(db.session)
    db.session.commit()
    return result


def perform(action, *, success, next_url, form=None, render=None, refused_url=None,
            default_field=None, validate=True, respond=None):
    """Show the form on a GET; run ``action()`` and answer the POST (post/redirect/get).

    - ``form``: validated first (unless ``validate`` is False); a form that does not validate
      is shown again by ``render`` or its first message flashed.
    - ``success``: the flash text, or a function of the action's result that returns it.
    - ``next_url``: where to go after success, or a function of the result.
    - ``render``: a function that renders the form page: on a GET (nothing runs) and again
      after a refusal (errors attached to ``form``); without it the message is flashed and
      the user is sent to ``refused_url`` (or ``next_url``).
    - ``respond``: for a POST whose answer is the page itself (an audited reveal), a
      function of the result that answers after the commit instead of flash and redirect.
    """
    if render is not None and request.method == "GET":
        return render()
    if form is not None and validate and not form.validate_on_submit():
        return _refused(None, form, render, refused_url or next_url)
    try:
        result = action()
    except DomainError as error:
        roll_back_refusal(error)
        attach_error(form, error, default_field)
        return _refused(error, form, render, refused_url or next_url)
    db.session.commit()
    if respond is not None:
        return respond(result)
    message = success(result) if callable(success) else success
    target = next_url(result) if callable(next_url) else next_url
    if message:
        flash(message, "success")  # a scripted caller's next page load consumes it
    if wants_json():
        return json_answer(True, message, next_url=target)
    return redirect(target)


def _refused(error, form, render, back):
    from flask_babel import gettext as _

    message = str(error) if error is not None else (
        (first_form_error(form) if form is not None else None) or _("Please correct the form."))
    if wants_json():
        return json_answer(False, message, field=getattr(error, "field", None),
                           errors=form_errors(form))
    if render is not None:
        return render()
    flash(message, "danger")
    return redirect(back() if callable(back) else back)
