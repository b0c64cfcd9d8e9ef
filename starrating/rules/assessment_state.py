"""The life of a branch's yearly assessment (DESIGN.md §5, §7.4, §8): who may move it from
which state to which, what still blocks publishing and submitting, and who may still change it.

The year record covers the ten-star results and the cadres' results of one village and year:
both are published on the board, submitted together and reviewed together by the township.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from starrating.rules.vocabulary import Role


class YearState(StrEnum):
    """marking → publicity → submitted → approved, and submitted → returned → marking.

    A year that is not opened has no record at all (the "draft" of DESIGN.md §5): opening
    fixes the roster and the scheme and starts marking at once.
    """

    MARKING = "marking"
    PUBLICITY = "publicity"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            YearState.MARKING: "评分中",
            YearState.PUBLICITY: "公示中",
            YearState.SUBMITTED: "已报乡镇",
            YearState.APPROVED: "已审核通过",
            YearState.RETURNED: "已退回",
        }[self]


class Step(StrEnum):
    """A move of the year from one state to another."""

    PUBLISH = "publish"  # the secretary puts the ten-star results on the board
    SUBMIT = "submit"  # the secretary sends the year to the township
    APPROVE = "approve"  # the township approves (locks) it
    RETURN = "return"  # the township sends it back with an opinion
    RESUME = "resume"  # the secretary takes a returned year back to marking
    REOPEN = "reopen"  # the township reopens an approved year, with a reason

    @property
    def label(self) -> str:
        return {
            Step.PUBLISH: "公示评定结果",
            Step.SUBMIT: "报送乡镇审核",
            Step.APPROVE: "审核通过",
            Step.RETURN: "退回修改",
            Step.RESUME: "按审核意见修改",
            Step.REOPEN: "重新打开",
        }[self]


@dataclass(frozen=True)
class Transition:
    source: YearState
    target: YearState
    role: Role


TRANSITIONS: dict[Step, Transition] = {
    Step.PUBLISH: Transition(YearState.MARKING, YearState.PUBLICITY, Role.SECRETARY),
    Step.SUBMIT: Transition(YearState.PUBLICITY, YearState.SUBMITTED, Role.SECRETARY),
    Step.APPROVE: Transition(YearState.SUBMITTED, YearState.APPROVED, Role.TOWNSHIP),
    Step.RETURN: Transition(YearState.SUBMITTED, YearState.RETURNED, Role.TOWNSHIP),
    Step.RESUME: Transition(YearState.RETURNED, YearState.MARKING, Role.SECRETARY),
    Step.REOPEN: Transition(YearState.APPROVED, YearState.RETURNED, Role.TOWNSHIP),
}


def step_problem(state: YearState, step: Step, role: Role) -> str | None:
    """Why that role may not take that step from that state, or None when it may."""
    transition = TRANSITIONS[step]
    if role is not transition.role:
        who = "支部书记" if transition.role is Role.SECRETARY else "乡镇审核人"
        return f"「{step.label}」只能由{who}操作"
    if state is not transition.source:
        return f"本年度评定{state.label}，不能{step.label}"
    return None


def village_may_edit(state: YearState | None) -> bool:
    """Whether the village may still change the year's marks, members, pledges, reports and
    completions: while marking, during publicity (corrections, audited) and once returned;
    never while the township reviews it or after it approved it. No record yet: yes."""
    return state not in (YearState.SUBMITTED, YearState.APPROVED)


def lock_message(year: int, state: YearState) -> str:
    """What anyone reads when a change is refused because the year is under review or locked."""
    if state is YearState.APPROVED:
        return f"{year} 年度评定已经乡镇审核通过并锁定，不能再修改；如确需更改，请联系乡镇重新打开"
    return f"{year} 年度评定已报乡镇审核，审核期间不能修改；如需更改，请等乡镇退回"


def objection_answerer(state: YearState | None) -> Role:
    """Who answers the villagers' objections of a year now: the branch while the village may
    change the year; the township while it reviews the year and after it approved it (a late
    objection is then the township's to weigh). After a return, the branch again."""
    return Role.SECRETARY if village_may_edit(state) else Role.TOWNSHIP


def answer_problem(
    *, year: int, state: YearState | None, role: Role, answered_by: Role | None
) -> str | None:
    """Why that role may not answer (or rewrite the answer to) an objection now, or None.

    The answerer is objection_answerer's. An answer is frozen once the year is submitted:
    neither side rewrites the branch's answers while the township reviews or after it
    approved; the township's own answers stay the township's, also after a return."""
    answerer = objection_answerer(state)
    if role is Role.SECRETARY and answerer is Role.TOWNSHIP:
        assert state is not None  # a year without a record is the village's
        return lock_message(year, state) + "；此期间新的群众异议由乡镇答复"
    if role is Role.TOWNSHIP and answerer is Role.SECRETARY:
        return "本年度评定尚未报送乡镇（或已退回村里），群众异议由村党支部答复"
    if role not in (Role.SECRETARY, Role.TOWNSHIP):
        return "只有支部书记或乡镇审核人可以答复群众异议"
    if answered_by is not None and answered_by is not role:
        if answered_by is Role.TOWNSHIP:
            return "这条异议已由乡镇答复，村里不能改写乡镇的答复"
        return "这条异议村党支部已在报送前答复，审核期间答复不能改写"
    return None


def publicity_end(published_on: date, days: int) -> date:
    """The last day of publicity: published on day 1, so 5 days from 11-28 run to 12-02."""
    return published_on + timedelta(days=days - 1)


def publicity_open(ends_on: date | None, today: date) -> bool:
    return ends_on is not None and today <= ends_on


def marking_blocker(state: YearState, marking_closed: bool) -> str | None:
    """Marking still open stops publishing and submitting. Before publishing it was never
    closed (or resumed after a return); during publicity it was reopened for corrections."""
    if marking_closed:
        return None
    if state is YearState.PUBLICITY:
        return "评分已重新开放更正：请先结束评分"
    return "评分尚未结束：请先结束评分"


def publish_blockers(*, marking_closed: bool, result_problems: Sequence[str]) -> list[str]:
    """What stops the secretary from publishing the ten-star results (empty: nothing).
    result_problems are the quota's (provisional grades, too many 优秀)."""
    blocker = marking_blocker(YearState.MARKING, marking_closed)
    return ([blocker] if blocker else []) + list(result_problems)


def submit_blockers(
    *,
    today: date,
    state: YearState,
    marking_closed: bool,
    result_problems: Sequence[str],
    publicity_ends_on: date | None,
    cadres: int,
    cadre_publicity_ends_on: date | None,
    open_objections: int,
    unfinished_rounds: int = 0,
) -> list[str]:
    """What stops the secretary from submitting the year (empty: nothing): marking reopened
    for corrections, results not settled, publicity not over, objections not answered, a
    ballot round still open or not yet certified (its count could still change the results
    the township reviews)."""
    blocker = marking_blocker(state, marking_closed)
    blockers = [blocker] if blocker else []
    blockers.extend(result_problems)
    blockers.extend(_publicity_blockers("十星级评定结果", publicity_ends_on, today))
    if cadres:
        blockers.extend(_publicity_blockers("村干部考核结果", cadre_publicity_ends_on, today))
    if open_objections:
        blockers.append(f"尚有 {open_objections} 条群众异议未答复")
    if unfinished_rounds:
        blockers.append(f"尚有 {unfinished_rounds} 轮测评未结束投票或计票结果未经两人确认")
    return blockers


def _publicity_blockers(what: str, ends_on: date | None, today: date) -> list[str]:
    if ends_on is None:
        return [f"{what}尚未公示"]
    if today <= ends_on:
        left = (ends_on - today).days + 1
        return [f"{what}公示期至 {ends_on.month} 月 {ends_on.day} 日，还有 {left} 天"]
    return []


def approval_problems(
    *, needs_approval: Sequence[int], approved: Sequence[int], opinion: str
) -> list[str]:
    """优秀 and 不合格 members need the township's explicit approval, one by one."""
    missing = set(needs_approval) - set(approved)
    problems = []
    if missing:
        problems.append(f"尚有 {len(missing)} 名评为优秀或不合格的党员未逐一确认")
    if set(approved) - set(needs_approval):
        problems.append("只能确认评为优秀或不合格的党员")
    if len(opinion) > OPINION_LENGTH:
        problems.append(f"审核意见不能超过 {OPINION_LENGTH} 字")
    return problems


OPINION_LENGTH = 500


# --- the year's status, in one set of words --------------------------------------------------


@dataclass(frozen=True)
class YearFacts:
    """What the status of a village's year is read from. state None: not opened.
    marking_closed_on: the China date marking was closed (None: open, or never closed).
    resumed: the secretary took a returned year back (the last review step was 按审核意见修改).
    open_rounds: ballot rounds of the year still voting; uncertified_rounds: closed, not yet
    certified by a teller and a scrutineer."""

    year: int
    today: date
    state: YearState | None
    marking_closed_on: date | None = None
    published_on: date | None = None
    publicity_ends_on: date | None = None
    cadres_published_on: date | None = None
    cadres_publicity_ends_on: date | None = None
    submitted_on: date | None = None
    resumed: bool = False
    open_rounds: int = 0
    uncertified_rounds: int = 0


@dataclass(frozen=True)
class YearStatus:
    """phase: a few words for lists and tables; sentence: the whole state and what comes
    next; marking, tenstar_publicity, cadre_publicity: one fact each for the overview;
    rounds: the year's ballot rounds still counting, if any."""

    phase: str
    sentence: str
    marking: str
    tenstar_publicity: str
    cadre_publicity: str
    rounds: str | None


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _full_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _publicity_fact(published_on: date | None, ends_on: date | None, today: date) -> str:
    if published_on is None or ends_on is None:
        return "尚未公示"
    period = f"{_full_day(published_on)} 至 {_full_day(ends_on)}"
    if publicity_open(ends_on, today):
        return f"{period}（公示中，还有 {(ends_on - today).days + 1} 天）"
    return f"{period}（已期满）"


def _marking_fact(facts: YearFacts) -> str:
    if facts.state is None:
        return "尚未开启"
    if facts.marking_closed_on is not None:
        return f"已于 {_day(facts.marking_closed_on)} 结束"
    if facts.state is YearState.PUBLICITY:
        return "公示期间已重新开放更正"
    if facts.state is YearState.MARKING:
        return "进行中"
    return "已结束"  # submitted, approved or returned: marking was closed to publish


def _rounds_fact(open_rounds: int, uncertified: int) -> str | None:
    parts = []
    if open_rounds:
        parts.append(f"{open_rounds} 轮测评正在投票")
    if uncertified:
        parts.append(f"{uncertified} 轮测评已结束投票，计票结果待两人确认")
    return "，".join(parts) or None


def _phase_and_sentence(facts: YearFacts) -> tuple[str, str]:
    state, closed = facts.state, facts.marking_closed_on
    if state is None:
        return "未开启", f"{facts.year} 年度评定尚未开启"
    if state is YearState.MARKING:
        again = "按乡镇审核意见修改中：" if facts.resumed else ""
        if closed is None:
            return "评分中", f"{again}评分进行中，评委评完后请结束评分，再公示评定结果"
        return (
            "评分已结束，待公示",
            f"{again}评分已于 {_day(closed)} 结束，请核对评定结果后公示",
        )
    if state is YearState.PUBLICITY:
        assert facts.publicity_ends_on is not None  # publishing set it
        ends = _day(facts.publicity_ends_on)
        if closed is None:
            return (
                "公示中，评分已重新开放更正",
                f"评定结果公示至 {ends}；评分已重新开放更正，更正完毕后请结束评分，才能报送乡镇",
            )
        if publicity_open(facts.publicity_ends_on, facts.today):
            return "公示中", f"评定结果公示至 {ends}；期满且群众异议答复完毕后报送乡镇审核"
        return "公示期满，待报送", f"评定结果已于 {ends} 公示期满，请报送乡镇审核"
    if state is YearState.SUBMITTED:
        when = f"已于 {_day(facts.submitted_on)} " if facts.submitted_on else "已"
        return "已报乡镇，待审核", f"{when}报送乡镇，等待审核；审核期间不能修改"
    if state is YearState.APPROVED:
        return "已审核通过", "乡镇已审核通过，本年度评定已锁定"
    return "已退回，待修改", "乡镇已退回：请按审核意见修改，重新公示期满后再报送"


def year_status(facts: YearFacts) -> YearStatus:
    """The one wording of where a village's year stands: marking, publicity, review. Every
    page that shows the year's status says it with these words, so no two pages disagree
    (marking reopened only during publicity; "评分中" only while raters may mark)."""
    phase, sentence = _phase_and_sentence(facts)
    return YearStatus(
        phase=phase,
        sentence=sentence,
        marking=_marking_fact(facts),
        tenstar_publicity=_publicity_fact(facts.published_on, facts.publicity_ends_on, facts.today),
        cadre_publicity=_publicity_fact(
            facts.cadres_published_on, facts.cadres_publicity_ends_on, facts.today
        ),
        rounds=_rounds_fact(facts.open_rounds, facts.uncertified_rounds),
    )
