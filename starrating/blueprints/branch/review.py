"""The secretary's 公示与上报 (DESIGN.md §5.5–6, §7.4): publish the ten-star results and the
cadres' results on the board, answer the villagers' objections, submit the year to the township
once publicity is over, and take a returned year back to act on the township's opinion."""

from collections import Counter
from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import form_problem, refused_back, submit_change
from starrating.forms import ConfirmForm
from starrating.forms.board import AnswerForm, PublishForm
from starrating.models import AssessmentYear
from starrating.permissions import allow, get_year_or_404
from starrating.queries import board as board_reads
from starrating.queries.answer_deadlines import deadlines, most_urgent_first, overdue_count
from starrating.queries.status import year_status_of
from starrating.queries.township import review_history
from starrating.queries.versions import part_status
from starrating.rules.assessment_state import (
    Step,
    YearState,
    lock_message,
    publicity_end,
    step_problem,
    village_may_edit,
)
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import GRADE_ORDER
from starrating.rules.vocabulary import Role
from starrating.services import review as service
from starrating.services.guessing import filing_alert
from starrating.services.objections import ANSWER_LENGTH, answer_objection, answer_problems
from starrating.web import china_today


def _review_url(year: AssessmentYear) -> str:
    return url_for("branch.review", year=year.year)


@bp.route("/years/<int:year>/review")
@allow(Role.SECRETARY)
def review(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    today = china_today()
    state = found.state
    editable = state in (YearState.MARKING, YearState.PUBLICITY)
    total, unanswered = board_reads.objection_counts(found.village_id, found.year)
    overdue = overdue_count(
        found.village_id, found.year, days=found.scheme.tenstar.answer_days, today=today
    )
    return render_template(
        "branch/review.html",
        year=found,
        today=today,
        status=year_status_of(found, today=today),
        publish_problem=step_problem(state, Step.PUBLISH, Role.SECRETARY),
        publish_blockers=service.publishing_blockers(found) if state is YearState.MARKING else [],
        cadre_blockers=service.cadre_publishing_blockers(found) if editable else [],
        submit_problem=step_problem(state, Step.SUBMIT, Role.SECRETARY),
        submit_blockers=service.submission_blockers(found, today=today) if editable else [],
        objections=total,
        unanswered=unanswered,
        overdue=overdue,
        history=review_history(found.id),
        parts={part.value: part_status(found, part) for part in Part},
        form=ConfirmForm(),
    )


@bp.route("/years/<int:year>/review/publish")
@allow(Role.SECRETARY)
def confirm_publishing(year: int) -> Any:
    """What will go public, before it does: the rows as the board will show them and the
    publicity days; publishing needs the tick under them."""
    found = get_year_or_404(year, for_user=current_user)
    today = china_today()
    rows = board_reads.tenstar_preview(found)
    counts = Counter(row.grade for row in rows)
    return render_template(
        "branch/publish_confirm.html",
        year=found,
        rows=rows,
        star_names=[star.name for star in found.scheme.tenstar.stars],
        grades=[(g.label, counts[g.label]) for g in GRADE_ORDER if counts[g.label]],
        starts=today,
        ends=publicity_end(today, found.scheme.tenstar.publicity_days),
        problem=_publish_problem(found),
        blockers=service.publishing_blockers(found) if found.state is YearState.MARKING else [],
        status=part_status(found, Part.TENSTAR),
        form=PublishForm(shown=board_reads.rows_digest(rows)),
    )


@bp.route("/years/<int:year>/review/publish", methods=["POST"])
@allow(Role.SECRETARY)
def publish_results(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    form = PublishForm()
    confirm_url = url_for("branch.confirm_publishing", year=found.year)
    if not village_may_edit(found.state):  # under review or approved: say that first
        return refused_back(lock_message(found.year, found.state), _review_url(found))
    if not form.validate_on_submit():
        return refused_back(form_problem(form, hidden=("csrf_token",), labelled=False), confirm_url)
    if form.shown.data != _shown_now(found):
        return refused_back(
            "公示内容在您核对之后有变化（评分或等次改动了），请重新核对后再公示", confirm_url
        )
    return submit_change(
        form,
        lambda: service.publish_results(actor=current_user, year=found, today=china_today()),
        done=f"{found.year} 年度十星级评定结果已在公示栏公示，公示期满、异议答复完毕后可报送乡镇",
        back=_review_url(found),
    )


def _publish_problem(year: AssessmentYear) -> str | None:
    if not village_may_edit(year.state):
        return lock_message(year.year, year.state)
    return step_problem(year.state, Step.PUBLISH, Role.SECRETARY)


def _shown_now(year: AssessmentYear) -> str:
    return board_reads.rows_digest(board_reads.tenstar_preview(year))


@bp.route("/years/<int:year>/review/publish-cadres", methods=["POST"])
@allow(Role.SECRETARY)
def publish_cadre_results(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.publish_cadre_results(actor=current_user, year=found, today=china_today()),
        done=f"{found.year} 年度村干部考核结果已在公示栏公示",
        back=_review_url(found),
    )


@bp.route("/years/<int:year>/review/submit", methods=["POST"])
@allow(Role.SECRETARY)
def submit_year(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.submit_year(actor=current_user, year=found, today=china_today()),
        done=f"{found.year} 年度评定已报送乡镇审核；审核期间不能修改",
        back=_review_url(found),
    )


@bp.route("/years/<int:year>/review/resume", methods=["POST"])
@allow(Role.SECRETARY)
def resume_year(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.resume_year(actor=current_user, year=found),
        done="已按审核意见重新开始修改：改好后请结束评分，再重新公示、报送",
        back=_review_url(found),
    )


# --- objections ---------------------------------------------------------------------------------


@bp.route("/years/<int:year>/objections")
@allow(Role.SECRETARY)
def objections(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    objections = board_reads.village_objections(found.village_id, found.year)
    days = found.scheme.tenstar.answer_days
    due = deadlines(objections, days=days, today=china_today())
    return render_template(
        "branch/objections.html",
        year=found,
        objections=most_urgent_first(objections, due),
        deadlines=due,
        overdue=sum(1 for deadline in due.values() if deadline.overdue),
        answer_days=days,
        problems=answer_problems(objections=objections, state=found.state, role=Role.SECRETARY),
        locked=None if village_may_edit(found.state) else lock_message(found.year, found.state),
        form=AnswerForm(),
        answer_length=ANSWER_LENGTH,
        burst=filing_alert(found.village_id),
    )


@bp.route("/years/<int:year>/objections/<int:objection_id>/answer", methods=["POST"])
@allow(Role.SECRETARY)
def answer(year: int, objection_id: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    objection = board_reads.get_objection_or_404(objection_id, year=found)
    form = AnswerForm()
    return submit_change(
        form,
        lambda: answer_objection(
            actor=current_user,
            objection=objection,
            answer=form.answer.data,
            shown=form.shown.data,
        ),
        done=f"已答复异议 {objection.reference}，提出人凭编号可在公示栏看到答复",
        back=url_for("branch.objections", year=found.year) + f"#objection-{objection.id}",
    )
