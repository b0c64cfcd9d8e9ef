"""How a page's button or small form makes one change: check the form's shape, call one
service, commit and say so, or roll back and show the service's reason; then back to the page."""

from collections.abc import Callable, Collection
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm

from starrating.extensions import db
from starrating.services import ServiceError

STALE_FORM = "表单不完整或已过期，请刷新页面后重试"


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


def submit_change(
    form: FlaskForm,
    change: Callable[[], object],
    *,
    done: str | Callable[[Any], str],
    back: str,
) -> Any:
    """Validate form, then run change (one service call) and commit, or roll back and flash
    the service's message; either way redirect to back. done is the message, or makes it from
    what the service returned."""
    if not form.validate_on_submit():
        flash(form_problem(form), "error")
        return redirect(back)
    try:
        result = change()
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done(result) if callable(done) else done, "success")
    return redirect(back)
