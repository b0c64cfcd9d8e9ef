"""The township's yearly schemes: list them, start a year from the nearest earlier one, and edit
every ten-star setting until the first village opens the year."""

from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating import queries
from starrating.blueprints.township import bp
from starrating.extensions import db
from starrating.forms.schemes import SchemeForm, SchemeYearForm, scheme_form_data
from starrating.models import Scheme
from starrating.permissions import get_scheme_or_404
from starrating.rules.tenstar_scheme import (
    GradeRule,
    MarkingMode,
    MarkingRule,
    MassStarRule,
    StarGroup,
    TenStarScheme,
)
from starrating.services import ServiceError, StaleEdit
from starrating.services.schemes import (
    SchemeFrozen,
    SchemeRejected,
    create_scheme,
    save_tenstar_rules,
)
from starrating.web import china_today


@bp.route("/schemes", methods=["GET", "POST"])
def schemes() -> Any:
    form = SchemeYearForm()
    if form.validate_on_submit():
        try:
            scheme = create_scheme(
                actor=current_user, township=current_user.township, year=form.year.data
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"已制定 {scheme.year} 年度方案，请逐项核对后保存", "success")
            return redirect(url_for("township.scheme", year=scheme.year))
    rows = queries.scheme_rows(current_user.township_id)
    if not form.is_submitted():
        form.year.data = rows[0].scheme.year + 1 if rows else china_today().year
    status = 422 if form.is_submitted() else 200  # a submitted form that got here was refused
    return render_template("township/schemes.html", rows=rows, form=form), status


def _rules(form: SchemeForm, stored: TenStarScheme) -> TenStarScheme:
    """The form's settings; each star keeps its stored code and ballot measure."""
    stars = tuple(
        replace(
            star,
            name=(entry.form.name.data or "").strip(),
            group=StarGroup(entry.form.group.data),
            criteria=(entry.form.criteria.data or "").strip(),
        )
        for star, entry in zip(stored.stars, form.stars, strict=True)
    )
    return TenStarScheme(
        stars=stars,
        marking=MarkingRule(MarkingMode(form.marking_mode.data), form.points_threshold.data),
        mass=MassStarRule(
            recognition_threshold=form.recognition_threshold.data,
            satisfaction_threshold=form.satisfaction_threshold.data,
            minimum_sample=form.minimum_sample.data,
        ),
        grades=GradeRule(
            basic_for_excellent=form.basic_for_excellent.data,
            total_for_excellent=form.total_for_excellent.data,
            basic_for_pass=form.basic_for_pass.data,
            basic_for_basic_pass=form.basic_for_basic_pass.data,
            excellent_quota=form.excellent_quota.data,
        ),
        veto_reasons=form.veto_reason_lines(),
        publicity_days=form.publicity_days.data,
    )


@bp.route("/schemes/<int:year>", methods=["GET", "POST"])
def scheme(year: int) -> Any:
    found = get_scheme_or_404(year, for_user=current_user)
    form = SchemeForm(data=scheme_form_data(found.tenstar, found.version))
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            save_tenstar_rules(
                actor=current_user,
                scheme=found,
                rules=_rules(form, found.tenstar),
                expected_version=form.expected_version(),
            )
        except ServiceError as error:
            db.session.rollback()
            form, problems, status = _refused(found, form, error)
        else:
            db.session.commit()
            flash(f"已保存 {found.year} 年度方案", "success")
            return redirect(url_for("township.scheme", year=found.year))
    elif form.is_submitted():
        if found.frozen:
            problems, status = [SchemeFrozen(found).message], 409
        else:
            problems, status = form.error_summary(), 422
    return _scheme_page(found, form, problems), status


def _refused(
    found: Scheme, form: SchemeForm, error: ServiceError
) -> tuple[SchemeForm, list[str], int]:
    """The form to show again, every reason it was refused, and the status."""
    if isinstance(error, SchemeRejected):
        return form, error.problems, 422
    if isinstance(error, StaleEdit):
        # show what is stored now: saving these edits would overwrite someone else's
        return (
            SchemeForm(formdata=None, data=scheme_form_data(found.tenstar, found.version)),
            [error.message],
            409,
        )
    return form, [error.message], 409


def _scheme_page(found: Scheme, form: SchemeForm, problems: list[str]) -> str:
    rows = queries.scheme_rows(current_user.township_id)
    return render_template(
        "township/scheme.html",
        scheme=found,
        rules=found.tenstar,
        form=form,
        problems=problems,
        opened_by=next(row.villages for row in rows if row.scheme.id == found.id),
        next_year_free=all(row.scheme.year != found.year + 1 for row in rows),
    )
