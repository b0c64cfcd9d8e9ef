"""The one wording of where a year stands (rules/assessment_state.year_status): each state's
phase and sentence, and the facts shown beside them, never contradicting each other."""

from datetime import date

import pytest

from starrating.rules.assessment_state import YearFacts, YearState, year_status

YEAR = 2026
CLOSED = date(YEAR, 11, 20)
PUBLISHED, ENDS = date(YEAR, 11, 26), date(YEAR, 11, 30)


def status(**changes: object):
    facts: dict = {"year": YEAR, "today": date(YEAR, 11, 28), "state": YearState.MARKING}
    facts.update(changes)
    return year_status(YearFacts(**facts))


def published(**changes: object):
    facts: dict = {
        "state": YearState.PUBLICITY,
        "marking_closed_on": CLOSED,
        "published_on": PUBLISHED,
        "publicity_ends_on": ENDS,
    }
    facts.update(changes)
    return status(**facts)


def test_a_year_not_opened_says_so() -> None:
    found = status(state=None)
    assert (found.phase, found.sentence, found.marking) == (
        "未开启",
        "2026 年度评定尚未开启",
        "尚未开启",
    )


def test_while_raters_mark_the_year_is_marking_and_nothing_was_reopened() -> None:
    found = status()
    assert found.phase == "评分中"
    assert found.sentence == "评分进行中，评委评完后请结束评分，再公示评定结果"
    assert found.marking == "进行中"
    assert found.tenstar_publicity == found.cadre_publicity == "尚未公示"
    assert "重新开放" not in found.phase + found.sentence + found.marking


def test_once_marking_is_closed_the_year_is_no_longer_said_to_be_marking() -> None:
    found = status(marking_closed_on=CLOSED)
    assert found.phase == "评分已结束，待公示"
    assert found.sentence == "评分已于 11月20日 结束，请核对评定结果后公示"
    assert found.marking == "已于 11月20日 结束"
    assert "评分中" not in found.phase + found.sentence


def test_during_publicity_the_days_left_are_counted_with_the_last_day() -> None:
    found = published()
    assert found.phase == "公示中"
    assert found.sentence == "评定结果公示至 11月30日；期满且群众异议答复完毕后报送乡镇审核"
    assert found.tenstar_publicity == "2026年11月26日 至 2026年11月30日（公示中，还有 3 天）"
    assert published(today=ENDS).tenstar_publicity.endswith("（公示中，还有 1 天）")


def test_marking_reopened_during_publicity_is_the_only_reopened_wording() -> None:
    found = published(marking_closed_on=None)
    assert found.phase == "公示中，评分已重新开放更正"
    assert found.sentence == (
        "评定结果公示至 11月30日；评分已重新开放更正，更正完毕后请结束评分，才能报送乡镇"
    )
    assert found.marking == "公示期间已重新开放更正"


def test_after_publicity_the_year_waits_for_submission() -> None:
    found = published(today=date(YEAR, 12, 1))
    assert found.phase == "公示期满，待报送"
    assert found.sentence == "评定结果已于 11月30日 公示期满，请报送乡镇审核"
    assert found.tenstar_publicity == "2026年11月26日 至 2026年11月30日（已期满）"


@pytest.mark.parametrize(
    ("state", "phase", "sentence"),
    [
        (
            YearState.SUBMITTED,
            "已报乡镇，待审核",
            "已于 12月2日 报送乡镇，等待审核；审核期间不能修改",
        ),
        (YearState.APPROVED, "已审核通过", "乡镇已审核通过，本年度评定已锁定"),
        (
            YearState.RETURNED,
            "已退回，待修改",
            "乡镇已退回：请按审核意见修改，重新公示期满后再报送",
        ),
    ],
)
def test_after_submission_the_townships_step_is_named(
    state: YearState, phase: str, sentence: str
) -> None:
    found = published(state=state, submitted_on=date(YEAR, 12, 2), today=date(YEAR, 12, 3))
    assert (found.phase, found.sentence, found.marking) == (phase, sentence, "已于 11月20日 结束")


def test_a_resumed_year_says_it_is_acting_on_the_townships_opinion() -> None:
    assert status(resumed=True).sentence.startswith("按乡镇审核意见修改中：评分进行中")
    closed = status(resumed=True, marking_closed_on=CLOSED)
    assert closed.sentence == "按乡镇审核意见修改中：评分已于 11月20日 结束，请核对评定结果后公示"


def test_cadre_publicity_is_its_own_fact() -> None:
    found = published(
        cadres_published_on=date(YEAR, 11, 27), cadres_publicity_ends_on=date(YEAR, 12, 1)
    )
    assert found.cadre_publicity == "2026年11月27日 至 2026年12月1日（公示中，还有 4 天）"


def test_rounds_still_counting_are_mentioned_apart() -> None:
    assert status().rounds is None
    assert status(open_rounds=1).rounds == "1 轮测评正在投票"
    assert status(open_rounds=1, uncertified_rounds=2).rounds == (
        "1 轮测评正在投票，2 轮测评已结束投票，计票结果待两人确认"
    )


@pytest.mark.parametrize("state", [None, *YearState])
@pytest.mark.parametrize("closed", [None, CLOSED])
def test_no_status_says_marking_and_closed_at_once(
    state: YearState | None, closed: date | None
) -> None:
    if state is YearState.PUBLICITY:
        found = published(marking_closed_on=closed)
    elif state in (YearState.SUBMITTED, YearState.APPROVED, YearState.RETURNED):
        found = published(state=state, marking_closed_on=closed or CLOSED)
    else:
        found = status(state=state, marking_closed_on=closed if state else None)
    words = found.phase + found.sentence
    assert not ("评分中" in words and "结束" in found.marking), found
    assert ("重新开放" in words) == (state is YearState.PUBLICITY and closed is None), found
