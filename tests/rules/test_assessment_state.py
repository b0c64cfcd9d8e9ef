"""The year's state machine (DESIGN.md §5): every allowed step by the right role from the right
state, every other combination refused with a reason; what blocks publishing and submitting."""

from datetime import date

import pytest

from starrating.rules.assessment_state import (
    TRANSITIONS,
    Step,
    YearState,
    answer_problem,
    approval_problems,
    lock_message,
    objection_answerer,
    publicity_end,
    publicity_open,
    publish_blockers,
    step_problem,
    submit_blockers,
    village_may_edit,
)
from starrating.rules.vocabulary import Role

ALLOWED = {
    (YearState.MARKING, Step.PUBLISH, Role.SECRETARY): YearState.PUBLICITY,
    (YearState.PUBLICITY, Step.SUBMIT, Role.SECRETARY): YearState.SUBMITTED,
    (YearState.SUBMITTED, Step.APPROVE, Role.TOWNSHIP): YearState.APPROVED,
    (YearState.SUBMITTED, Step.RETURN, Role.TOWNSHIP): YearState.RETURNED,
    (YearState.RETURNED, Step.RESUME, Role.SECRETARY): YearState.MARKING,
    (YearState.APPROVED, Step.REOPEN, Role.TOWNSHIP): YearState.RETURNED,
}


def test_the_allowed_steps_are_exactly_those_of_the_design() -> None:
    found = {(t.source, step, t.role): t.target for step, t in TRANSITIONS.items()}
    assert found == ALLOWED


@pytest.mark.parametrize("state", list(YearState))
@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("role", list(Role))
def test_every_step_from_every_state_by_every_role(
    state: YearState, step: Step, role: Role
) -> None:
    problem = step_problem(state, step, role)
    if (state, step, role) in ALLOWED:
        assert problem is None
    else:
        assert problem, "a refused step must say why"


def test_a_refusal_names_who_may_take_the_step() -> None:
    assert step_problem(YearState.SUBMITTED, Step.APPROVE, Role.SECRETARY) == (
        "「审核通过」只能由乡镇审核人操作"
    )
    assert step_problem(YearState.MARKING, Step.SUBMIT, Role.SECRETARY) == (
        "本年度评定评分中，不能报送乡镇审核"
    )


@pytest.mark.parametrize(
    ("state", "editable"),
    [
        (None, True),
        (YearState.MARKING, True),
        (YearState.PUBLICITY, True),
        (YearState.RETURNED, True),
        (YearState.SUBMITTED, False),
        (YearState.APPROVED, False),
    ],
)
def test_the_village_edits_only_before_submission_or_after_a_return(
    state: YearState | None, editable: bool
) -> None:
    assert village_may_edit(state) is editable


def test_five_days_of_publicity_include_the_day_of_publishing() -> None:
    assert publicity_end(date(2026, 11, 28), 5) == date(2026, 12, 2)
    assert publicity_end(date(2026, 12, 30), 5) == date(2027, 1, 3)
    assert publicity_open(date(2026, 12, 2), date(2026, 12, 2))
    assert not publicity_open(date(2026, 12, 2), date(2026, 12, 3))
    assert not publicity_open(None, date(2026, 12, 3))


def test_publishing_waits_for_the_end_of_marking_and_settled_results() -> None:
    assert publish_blockers(marking_closed=True, result_problems=()) == []
    assert publish_blockers(marking_closed=False, result_problems=("优秀超额",)) == [
        "评分尚未结束：请先结束评分",
        "优秀超额",
    ]


def _submit(**changes: object) -> list[str]:
    facts: dict = {
        "today": date(2026, 12, 3),
        "state": YearState.PUBLICITY,
        "marking_closed": True,
        "result_problems": (),
        "publicity_ends_on": date(2026, 12, 2),
        "cadres": 7,
        "cadre_publicity_ends_on": date(2026, 12, 2),
        "open_objections": 0,
    }
    facts.update(changes)
    return submit_blockers(**facts)


def test_submission_is_free_the_day_after_publicity() -> None:
    assert _submit() == []


def test_submission_waits_for_the_last_day_of_publicity() -> None:
    assert _submit(today=date(2026, 12, 2)) == [
        "十星级评定结果公示期至 12 月 2 日，还有 1 天",
        "村干部考核结果公示期至 12 月 2 日，还有 1 天",
    ]


def test_submission_lists_everything_that_blocks_it() -> None:
    assert _submit(
        marking_closed=False,
        result_problems=("尚有 2 名党员的星级未评定完毕，等次为暂定",),
        cadre_publicity_ends_on=None,
        open_objections=3,
    ) == [
        "评分已重新开放更正：请先结束评分",
        "尚有 2 名党员的星级未评定完毕，等次为暂定",
        "村干部考核结果尚未公示",
        "尚有 3 条群众异议未答复",
    ]


def test_a_year_still_marking_is_not_said_to_have_marking_reopened() -> None:
    """Marking never closed is not "reopened for corrections": that is only during publicity."""
    blockers = _submit(state=YearState.MARKING, marking_closed=False, publicity_ends_on=None)
    assert blockers[0] == "评分尚未结束：请先结束评分"
    assert not any("重新开放" in b for b in blockers)


def test_submission_waits_for_every_opened_round_to_be_counted_and_certified() -> None:
    assert _submit(unfinished_rounds=2) == ["尚有 2 轮测评未结束投票或计票结果未经两人确认"]


def test_a_village_without_cadres_submits_without_cadre_results() -> None:
    assert _submit(cadres=0, cadre_publicity_ends_on=None) == []


def test_the_township_approves_each_excellent_and_unqualified_member() -> None:
    assert approval_problems(needs_approval=[1, 2], approved=[1, 2], opinion="同意") == []
    assert approval_problems(needs_approval=[1, 2], approved=[1], opinion="") == [
        "尚有 1 名评为优秀或不合格的党员未逐一确认"
    ]
    assert approval_problems(needs_approval=[1], approved=[1, 9], opinion="") == [
        "只能确认评为优秀或不合格的党员"
    ]
    assert approval_problems(needs_approval=[], approved=[], opinion="意" * 501) == [
        "审核意见不能超过 500 字"
    ]


# --- who answers the villagers' objections ----------------------------------------------------

S, T = Role.SECRETARY, Role.TOWNSHIP


@pytest.mark.parametrize(
    ("state", "answerer"),
    [
        (None, S),
        (YearState.MARKING, S),
        (YearState.PUBLICITY, S),
        (YearState.SUBMITTED, T),
        (YearState.APPROVED, T),
        (YearState.RETURNED, S),
    ],
)
def test_the_branch_answers_until_submission_and_the_township_after(
    state: YearState | None, answerer: Role
) -> None:
    assert objection_answerer(state) is answerer


def test_while_under_review_the_branchs_answers_are_frozen_and_new_ones_the_townships() -> None:
    submitted = YearState.SUBMITTED
    locked = answer_problem(year=2026, state=submitted, role=S, answered_by=None)
    assert locked == lock_message(2026, submitted) + "；此期间新的群众异议由乡镇答复"
    assert answer_problem(year=2026, state=submitted, role=T, answered_by=None) is None
    assert answer_problem(year=2026, state=submitted, role=T, answered_by=S) == (
        "这条异议村党支部已在报送前答复，审核期间答复不能改写"
    )
    assert answer_problem(year=2026, state=YearState.APPROVED, role=T, answered_by=T) is None


def test_after_a_return_the_branch_answers_again_but_never_rewrites_the_townships() -> None:
    returned = YearState.RETURNED
    assert answer_problem(year=2026, state=returned, role=S, answered_by=None) is None
    assert answer_problem(year=2026, state=returned, role=S, answered_by=S) is None
    assert answer_problem(year=2026, state=returned, role=S, answered_by=T) == (
        "这条异议已由乡镇答复，村里不能改写乡镇的答复"
    )
    assert "由村党支部答复" in (
        answer_problem(year=2026, state=returned, role=T, answered_by=None) or ""
    )
