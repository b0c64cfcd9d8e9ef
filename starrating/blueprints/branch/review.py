"""The secretary's 公示与上报 (DESIGN.md §5.5–6, §7.4): publish the ten-star results and the
cadres' results on the board, answer the villagers' objections, submit the year to the township
once publicity is over, and take a returned year back to act on the township's opinion."""

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import submit_change
from starrating.forms import ConfirmForm
from starrating.forms.board import AnswerForm
from starrating.models import AssessmentYear
from starrating.permissions import allow, get_year_or_404
from starrating.queries import board as board_reads
from starrating.queries.status import year_status_of
from starrating.queries.township import review_history
from starrating.rules.assessment_state import (
    Step,
    YearState,
    lock_message,
    step_problem,
    village_may_edit,
)
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
        history=review_history(found.id),
        form=ConfirmForm(),
    )


@bp.route("/years/<int:year>/review/publish", methods=["POST"])
@allow(Role.SECRETARY)
def publish_results(year: int) -> Any:
    found = get_year_or_404(year, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.publish_results(actor=current_user, year=found, today=china_today()),
        done=f"{found.year} 年度十星级评定结果已在公示栏公示，公示期满、异议答复完毕后可报送乡镇",
        back=_review_url(found),
    )


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
    return render_template(
        "branch/objections.html",
        year=found,
        objections=objections,
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
        lambda: answer_objection(actor=current_user, objection=objection, answer=form.answer.data),
        done=f"已答复异议 {objection.reference}，提出人凭编号可在公示栏看到答复",
        back=url_for("branch.objections", year=found.year) + f"#objection-{objection.id}",
    )
