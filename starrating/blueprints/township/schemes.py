"""The township's yearly schemes: list them, start a year from the nearest earlier one, and edit
every ten-star setting and the cadre appraisal rules until the first village opens the year."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from starrating import queries
from starrating.blueprints.changes import form_page
from starrating.blueprints.township import bp
from starrating.extensions import db
from starrating.forms.schemes import (
    AppraisalSchemeForm,
    BoardSchemeForm,
    SchemeForm,
    SchemePartForm,
    SchemeYearForm,
    appraisal_form_data,
    board_form_data,
    scheme_form_data,
)
from starrating.models import Scheme
from starrating.permissions import get_scheme_or_404
from starrating.rules.appraisal_scheme import AppraisalScheme, ComponentWeights
from starrating.rules.ballots import ChoiceWeights
from starrating.rules.board_scheme import BOARD_LABELS
from starrating.rules.cadre_grades import ConsequenceThresholds, GradeBands
from starrating.rules.pay import PayRule, PayRuleKind, TierPercents
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
    save_appraisal_rules,
    save_board_rules,
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
    return form_page(render_template("township/schemes.html", rows=rows, form=form))


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
        answer_days=form.answer_days.data,
        changes=form.change_rules(),
    )


@bp.route("/schemes/<int:year>", methods=["GET", "POST"])
def scheme(year: int) -> Any:
    found = get_scheme_or_404(year, for_user=current_user)
    return _edit_part(
        found,
        lambda **stored: SchemeForm(data=scheme_form_data(found.tenstar, found.version), **stored),
        lambda form, version: save_tenstar_rules(
            actor=current_user,
            scheme=found,
            rules=_rules(form, found.tenstar),
            expected_version=version,
        ),
        saved=f"已保存 {found.year} 年度方案",
        endpoint="township.scheme",
        template="township/scheme.html",
    )


def _edit_part(
    found: Scheme,
    new_form: Callable[..., Any],
    save: Callable[[Any, int], object],
    *,
    saved: str,
    endpoint: str,
    template: str,
) -> Any:
    """One part of the scheme's editor: show it, or save it through one service and go back,
    or show why not (a refused save keeps what was typed; a stale or frozen one shows the
    stored values). new_form() builds the part's form from the request, new_form(formdata=None)
    from the stored values."""
    form = new_form()
    problems: list[str] = []
    stale = False
    if form.validate_on_submit():
        try:
            save(form, form.expected_version())
        except ServiceError as error:
            db.session.rollback()
            form, problems, stale = _refused(form, error, lambda: new_form(formdata=None))
        else:
            db.session.commit()
            flash(saved, "success")
            return redirect(url_for(endpoint, year=found.year))
    elif form.is_submitted():
        problems, stale = _not_valid(found, form)
    return form_page(_scheme_page(template, found, form, problems), stale=stale)


def _appraisal_rules(form: AppraisalSchemeForm) -> AppraisalScheme:
    """The form's cadre appraisal rules; percentages typed for ratios are divided by 100."""
    return AppraisalScheme(
        ballot_weights=ChoiceWeights(
            satisfied=form.satisfied_points.data,
            basic=form.basic_points.data,
            dissatisfied=form.dissatisfied_points.data,
        ),
        components=ComponentWeights(
            completion=form.completion_weight.data,
            ballot=form.ballot_weight.data,
            township=form.township_weight.data,
        ),
        grade_bands=GradeBands(
            excellent_from=form.excellent_from.data,
            competent_from=form.competent_from.data,
            basically_competent_from=form.basically_competent_from.data,
        ),
        consequences=ConsequenceThresholds(
            adjust_below_satisfaction=form.adjust_below_satisfaction.data,
            admonish_from_dissatisfied=form.admonish_from_dissatisfied.data,
        ),
        pay_rule=PayRule(
            kind=PayRuleKind(form.pay_kind.data),
            pass_ratio=form.pass_ratio.data / 100,
            deduction_cap=form.deduction_cap.data / 100,
            tiers=TierPercents(
                excellent=form.tier_excellent.data,
                competent=form.tier_competent.data,
                basically_competent=form.tier_basically_competent.data,
                incompetent=form.tier_incompetent.data,
            ),
            full_pay_from=form.full_pay_from.data,
            per_point_step=form.per_point_step.data,
        ),
    )


@bp.route("/schemes/<int:year>/appraisal", methods=["GET", "POST"])
def appraisal_scheme(year: int) -> Any:
    found = get_scheme_or_404(year, for_user=current_user)
    return _edit_part(
        found,
        lambda **stored: AppraisalSchemeForm(
            data=appraisal_form_data(found.appraisal, found.version), **stored
        ),
        lambda form, version: save_appraisal_rules(
            actor=current_user, scheme=found, rules=_appraisal_rules(form), expected_version=version
        ),
        saved=f"已保存 {found.year} 年度村干部考核规则",
        endpoint="township.appraisal_scheme",
        template="township/appraisal_scheme.html",
    )


@bp.route("/schemes/<int:year>/board", methods=["GET", "POST"])
def board_scheme(year: int) -> Any:
    """What the village boards show (村务公开): every item on unless the township turns it off."""
    found = get_scheme_or_404(year, for_user=current_user)
    return _edit_part(
        found,
        lambda **stored: BoardSchemeForm(
            data=board_form_data(found.board, found.version), **stored
        ),
        lambda form, version: save_board_rules(
            actor=current_user, scheme=found, rules=form.rules(), expected_version=version
        ),
        saved=f"已保存 {found.year} 年度公示栏公开内容",
        endpoint="township.board_scheme",
        template="township/board_scheme.html",
    )


def _not_valid(found: Scheme, form: SchemePartForm) -> tuple[list[str], bool]:
    """Why a form that failed its shape checks was refused, and whether it is stale: a frozen
    scheme takes no edit at all (the form was opened before it froze)."""
    if found.frozen:
        return [SchemeFrozen(found).message], True
    return form.error_summary(), False


def _refused(
    form: SchemePartForm, error: ServiceError, stored: Callable[[], SchemePartForm]
) -> tuple[SchemePartForm, list[str], bool]:
    """The form to show again, every reason it was refused, and whether it is stale."""
    if isinstance(error, SchemeRejected):
        return form, error.problems, False
    if isinstance(error, StaleEdit):
        # show what is stored now: saving these edits would overwrite someone else's
        return stored(), [error.message], True
    return form, [error.message], True  # frozen since the form was opened


def _scheme_page(template: str, found: Scheme, form: SchemePartForm, problems: list[str]) -> str:
    rows = queries.scheme_rows(current_user.township_id)
    appraisal = found.appraisal
    return render_template(
        template,
        scheme=found,
        rules=found.tenstar,
        appraisal=appraisal,
        appraisal_shown=appraisal_form_data(appraisal, found.version),
        board=found.board,
        board_labels=BOARD_LABELS,
        form=form,
        problems=problems,
        opened_by=next(row.villages for row in rows if row.scheme.id == found.id),
        next_year_free=all(row.scheme.year != found.year + 1 for row in rows),
    )
