"""How a submitted form is answered, saved or refused (docs/DECISIONS.md "Refused submissions").

A page's button or small form makes one change (submit_change): check the form's shape, call one
service, commit and say so, or roll back and say the service's reason in an error flash; either
way 303 back to the page (Post/Redirect/Get: reloading the page never sends the form again).

A form that has a page of its own (a member, a cadre, a report, a rater's marks, a scheme) is
shown again when it is refused, with what was typed and why: 422 when what was sent cannot be
saved, 409 when the save is stale (the record changed since the form was shown: StaleEdit).
Malformed requests are 400s before any view reads them (web._no_control_characters, a failed
CSRF check, errors.refuse).
"""

from collections.abc import Callable, Collection
from typing import Any

from flask import flash, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from starrating.extensions import db
from starrating.services import ServiceError

STALE_FORM = "表单不完整或已过期，请刷新页面后重试"
REFUSED, STALE = 422, 409


def form_problem(
    form: FlaskForm,
    *,
    hidden: Collection[str] = ("version", "csrf_token"),
    labelled: bool = True,
) -> str:
    """The first thing wrong with a submitted form, in words for the page. An error in a field
    the user never sees (hidden: the version, the CSRF token, a counter) means the page is
    stale; labelled says whether to name the field (a form of one visible field need not)."""
    for field in form:
        if field.errors:
            if field.name in hidden:
                return STALE_FORM
            return f"{field.label.text}：{field.errors[0]}" if labelled else str(field.errors[0])
    return STALE_FORM


def refused_back(message: str, back: str) -> Response:
    """A small form refused: back to its page (303), which says why in an error flash."""
    flash(message, "error")
    return redirect(back, 303)


def refused(page: str, *, stale: bool = False) -> tuple[str, int]:
    """A form's page shown again because the submission was refused: 409 for a stale save,
    else 422."""
    return page, STALE if stale else REFUSED


def form_page(page: str, *, stale: bool = False) -> tuple[str, int]:
    """The answer of a URL that shows a form and takes it back: asked for (GET), the page; in
    answer to its POST, the form was refused (a saved form redirects): refused()."""
    return (page, 200) if request.method == "GET" else refused(page, stale=stale)


def submit_change(
    form: FlaskForm,
    change: Callable[[], object],
    *,
    done: str | Callable[[Any], str],
    back: str,
) -> Response:
    """Validate form, then run change (one service call) and commit, or roll back and flash
    the service's message; either way 303 to back. done is the message, or makes it from what
    the service returned."""
    if not form.validate_on_submit():
        return refused_back(form_problem(form), back)
    try:
        result = change()
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, back)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(back, 303)
