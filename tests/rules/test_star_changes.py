"""The rules of 摘星 and 升星 (DESIGN.md §15): current stars, refusals, the scheme's settings."""

import dataclasses
import json
from datetime import date

import pytest

from starrating.rules.board_scheme import BoardScheme
from starrating.rules.star_changes import (
    DEFAULT_AWARD_REASONS,
    DEFAULT_REMOVAL_REASONS,
    Change,
    ChangeKind,
    Proposed,
    Standing,
    StarChangeRules,
    change_problems,
    current_stars,
    rules_problems,
)
from starrating.rules.tenstar_scheme import (
    SchemeInvalid,
    default_tenstar_scheme,
    scheme_problems,
)
from starrating.rules.tenstar_scheme_json import scheme_from_dict, scheme_to_dict

SCHEME = default_tenstar_scheme()
CODES = [star.code for star in SCHEME.stars]
NAMES = {star.code: star.name for star in SCHEME.stars}
TODAY = date(2027, 6, 30)
RULES = StarChangeRules()


def standing(held=("ideals", "organisation"), **facts) -> Standing:
    values = dict(
        year=2026,
        approved_on=date(2026, 12, 20),
        in_year=True,
        exempt=False,
        leaver=None,
        star_names=NAMES,
        held=frozenset(held),
    )
    return Standing(**(values | facts))


def proposed(kind=ChangeKind.REMOVE, star="organisation", **facts) -> Proposed:
    reason = RULES.reasons(kind)[0]
    values = dict(on=date(2027, 3, 10), decided_on=date(2027, 3, 8), reason=reason)
    return Proposed(kind, star, **(values | facts))


def test_current_stars_apply_each_change_in_order():
    approved = [code in ("ideals", "organisation", "conduct") for code in CODES]
    changes = [
        Change(ChangeKind.REMOVE, "organisation"),
        Change(ChangeKind.AWARD, "duty"),
        Change(ChangeKind.AWARD, "organisation"),
        Change(ChangeKind.REMOVE, "conduct"),
    ]
    now = current_stars(CODES, approved, changes)
    assert [c for c, got in zip(CODES, now, strict=True) if got] == [
        "ideals",
        "organisation",
        "duty",
    ]


def test_a_fitting_removal_and_award_have_no_problems():
    assert change_problems(proposed(), standing(), RULES, today=TODAY) == []
    award = proposed(ChangeKind.AWARD, "duty")
    assert change_problems(award, standing(), RULES, today=TODAY) == []


@pytest.mark.parametrize(
    "change, facts, message",
    [
        (proposed(star="duty"), {}, "该党员目前没有「履职尽责星」，不能摘星"),
        (proposed(ChangeKind.AWARD, "ideals"), {}, "该党员已有「理想信念星」，不能再升星"),
        (
            proposed(ChangeKind.AWARD, "duty"),
            {"held": frozenset(CODES)},
            "该党员已是十星，不能再升星",
        ),
        (proposed(star="sunshine"), {}, "请从 2026 年度方案的十颗星中选择"),
        (proposed(reason="其他"), {}, "请从方案列出的摘星理由中选择"),
        (proposed(on=None), {}, "请填写摘星日期"),
        (proposed(decided_on=None), {}, "请填写支委会研究决定的日期"),
        (
            proposed(on=date(2026, 12, 19)),
            {},
            "摘星日期须在 2026年12月20日（评定结果审批）至 2027 年底之间",
        ),
        (proposed(on=date(2027, 7, 1)), {}, "摘星日期不能晚于今天"),
        (proposed(decided_on=date(2027, 3, 11)), {}, "支委会研究决定的日期不能晚于摘星日期"),
        (proposed(), {"exempt": True}, "该党员 2026 年度免评，没有星级，不能摘星"),
        (proposed(), {"in_year": False}, "该党员不在 2026 年度的评定名单中，没有可调整的星级"),
        (proposed(), {"leaver": "已转出"}, "该党员已转出，不能再摘星"),
    ],
)
def test_each_change_that_does_not_fit_is_refused_with_its_reason(change, facts, message):
    held = facts.pop("held", frozenset({"ideals", "organisation"}))
    assert message in change_problems(change, standing(held, **facts), RULES, today=TODAY)


def test_a_change_may_fall_between_the_approval_and_the_end_of_the_next_year():
    after_approval = proposed(on=date(2026, 12, 22), decided_on=date(2026, 12, 21))
    assert change_problems(after_approval, standing(), RULES, today=TODAY) == []
    too_late = proposed(on=date(2028, 1, 2), decided_on=date(2027, 12, 30))
    assert change_problems(too_late, standing(), RULES, today=date(2028, 1, 5)) == [
        "摘星日期须在 2026年12月20日（评定结果审批）至 2027 年底之间"
    ]


def test_an_award_is_refused_where_the_scheme_does_not_allow_it():
    rules = dataclasses.replace(RULES, award_allowed=False)
    problems = change_problems(proposed(ChangeKind.AWARD, "duty"), standing(), rules, today=TODAY)
    assert problems == ["按 2026 年度方案，不允许升星"]


def test_the_default_reasons_are_listed_in_the_default_scheme():
    assert SCHEME.changes.removal_reasons == DEFAULT_REMOVAL_REASONS
    assert SCHEME.changes.award_reasons == DEFAULT_AWARD_REASONS
    assert SCHEME.changes.award_allowed is True
    assert rules_problems(SCHEME.changes) == []


def test_the_settings_round_trip_through_json_and_an_older_scheme_reads_the_defaults():
    rules = StarChangeRules(("未交党费",), ("整改到位",), award_allowed=False)
    scheme = dataclasses.replace(SCHEME, changes=rules)
    assert scheme_from_dict(json.loads(json.dumps(scheme_to_dict(scheme)))) == scheme
    older = {k: v for k, v in scheme_to_dict(SCHEME).items() if k != "changes"}
    assert scheme_from_dict(older).changes == StarChangeRules()
    assert BoardScheme.from_dict({"tenstar": True}).star_standing is True


def test_the_scheme_refuses_empty_blank_repeated_or_long_reasons():
    def problems(**changes):
        return scheme_problems(
            dataclasses.replace(SCHEME, changes=dataclasses.replace(RULES, **changes))
        )

    assert problems(removal_reasons=()) == ["至少须列出一种摘星理由"]
    assert problems(award_reasons=()) == ["允许升星时，至少须列出一种升星理由"]
    assert problems(award_reasons=(), award_allowed=False) == []
    assert problems(removal_reasons=("未交党费", " ", "未交党费")) == [
        "摘星理由不能为空白",
        "摘星理由“未交党费”重复",
    ]
    assert problems(award_reasons=("长" * 101,)) == ["每条升星理由不能超过 100 字"]


def test_malformed_settings_are_refused_as_a_malformed_scheme():
    data = scheme_to_dict(SCHEME) | {"changes": {"award_allowed": "yes"}}
    with pytest.raises(SchemeInvalid):
        scheme_from_dict(data)
    data = scheme_to_dict(SCHEME) | {"changes": {"removal_reasons": "未交党费"}}
    with pytest.raises(SchemeInvalid):
        scheme_from_dict(data)
