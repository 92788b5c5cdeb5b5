"""Answers for the small scripts that post a form without reloading the page.

A script marks its request with ``X-Requested-With: fetch``; the view (through ``perform``)
then answers with JSON instead of flash-and-redirect. Without the script the same view
serves the full page, so everything works without JavaScript.
"""

from flask import jsonify, request


def wants_json():
    """Return True when the request comes from one of our scripts."""
    return request.headers.get("X-Requested-With") == "fetch"


def json_answer(ok, message, *, next_url=None, field=None, errors=None):
    """Answer a scripted POST: the message to show, the page to go to, the fields refused."""
    body = {"ok": ok, "message": message or "", "next": next_url, "field": field,
            "errors": errors or {}}
    return jsonify(body), 200 if ok else 422


def form_errors(form):
    """Return {field name: [messages]} of a form, for a scripted answer."""
    if form is None:
        return {}
    found = {f.name: [str(m) for m in f.errors] for f in form if f.errors}
    if form.form_errors:
        found["_form"] = [str(m) for m in form.form_errors]
    return found
