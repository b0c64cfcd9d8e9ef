"""The cadres' year-end appraisal through the pages (DESIGN.md §7): the secretary verifies the
items, the villagers' assembly votes, the township scores, and the pages show the worked example."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from starrating.extensions import db
from starrating.models import Cadre, Pledge, PledgeItem, TownshipScore
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
)
from tests.factories import certify, create_scheme, create_user, create_village, login

YEAR = 2026
ZHANG_SAN_ITEMS = [("A", 40, "100"), ("B", 30, "80"), ("C", 30, "50")]


def create_cadre(*, village, name="张三", post="村委会主任") -> Cadre:
    cadre = Cadre(
        village=village,
        name=name,
        post=post,
        base_pay=Decimal("24000.00"),
        reward_amount=Decimal("3000.00"),
    )
    db.session.add(cadre)
    db.session.commit()
    return cadre


def create_pledge(*, cadre, state=PledgeState.PUBLIC, items=ZHANG_SAN_ITEMS) -> Pledge:
    pledge = Pledge(cadre=cadre, year=YEAR, state=state)
    pledge.items = [
        PledgeItem(
            position=position,
            content=content,
            indicator=f"{content}指标",
            target="完成",
            deadline=date(YEAR, 12, 31),
            weight=weight,
        )
        for position, (content, weight, _) in enumerate(items, start=1)
    ]
    db.session.add(pledge)
    db.session.commit()
    return pledge


def hold_cadre_ballot(*, village, secretary, counts: dict[Choice, int], eligible=216) -> None:
    """A cadre round at the assembly: one code per voter, each voter marks the one cadre; then
    closed and certified by the teller and a committee member."""
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=YEAR,
        title=f"{YEAR} 年度村干部民主测评",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=eligible,
    )
    (subject,) = subjects(ballot_round.id)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=sum(counts.values()))
    open_round(actor=secretary, ballot_round=ballot_round)
    choices = [choice for choice, n in counts.items() for _ in range(n)]
    for printed, choice in zip(codes, choices, strict=True):
        cast_ballot(village=village, code=printed.code, marks={subject.id: choice})
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round)
    db.session.commit()


def field_value(html: str, name: str) -> str:
    """The text of the first element with data-field=name, tags stripped."""
    found = re.search(rf'data-field="{name}">(.*?)</(?:td|dd|p)>', html, re.S)
    assert found, name
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


@pytest.fixture
def branch(client):
    """翁家埠村's secretary (logged in on client), the township's reviewer, 张三 with a public
    pledge, and the township's scheme for the year."""
    village = create_village()
    create_scheme(township=village.township, year=YEAR)
    secretary = create_user(role=Role.SECRETARY, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    cadre = create_cadre(village=village)
    pledge = create_pledge(cadre=cadre)
    login(client, secretary)
    return village, secretary, reviewer, cadre, pledge


def verify(client, cadre, item, completion: str):
    return client.post(
        f"/branch/appraisal/{YEAR}/{cadre.id}/items/{item.id}",
        data={f"item-{item.id}-completion": completion},
        follow_redirects=True,
    )


def score(client, cadre, value: str):
    return client.post(
        f"/township/appraisal/{YEAR}/{cadre.id}/score",
        data={f"cadre-{cadre.id}-score": value},
        follow_redirects=True,
    )


def test_worked_example_zhang_san_through_the_pages(app, client, branch):
    village, secretary, reviewer, cadre, pledge = branch
    for item, (_, _, completion) in zip(pledge.items, ZHANG_SAN_ITEMS, strict=True):
        assert verify(client, cadre, item, completion).status_code == 200
    hold_cadre_ballot(
        village=village,
        secretary=secretary,
        counts={Choice.SATISFIED: 60, Choice.BASIC: 25, Choice.DISSATISFIED: 15, Choice.UNKNOWN: 8},
    )
    township = app.test_client()
    login(township, reviewer)
    assert "已保存张三的乡镇评价" in score(township, cadre, "85").get_data(as_text=True)

    page = client.get(f"/branch/appraisal/{YEAR}/{cadre.id}").get_data(as_text=True)
    assert field_value(page, "completion") == "79.0%"
    assert field_value(page, "deduction") == "2,640.00 元"
    assert field_value(page, "pay") == "21,360.00 元"
    assert field_value(page, "ballot-score") == "82.0"
    assert field_value(page, "satisfaction") == "85.0%"
    assert field_value(page, "dissatisfied") == "15.0%"
    assert field_value(page, "township-score") == "85"
    assert field_value(page, "combined") == "81.1"
    assert field_value(page, "grade") == "称职"
    assert field_value(page, "flags") == "无"
    assert 'id="renormalised"' not in page
    for line in [
        "完成率 r = (40×100 + 30×80 + 30×50) / 100 = 79.0%",
        "测评得分 = (60×100 + 25×70 + 15×30) / 100 = (6000 + 1750 + 450) / 100 = 82.0",
        "综合得分 = 0.5 × 79.0 + 0.3 × 82.0 + 0.2 × 85.0 = 81.1",  # the score as stored
        "应发 = 24,000.00 − 2,640.00 = 21,360.00 元",
    ]:
        assert line in unescape(page)

    listing = client.get(f"/branch/appraisal/{YEAR}").get_data(as_text=True)
    assert field_value(listing, "combined") == "81.1"
    assert field_value(listing, "pay") == "21,360.00"
    assert f"/branch/appraisal/{YEAR}/{cadre.id}" in listing

    overview = township.get(f"/township/appraisal/{YEAR}").get_data(as_text=True)
    assert field_value(overview, "deduction") == "2,640.00"
    assert field_value(overview, "pay") == "21,360.00"
    assert field_value(overview, "grade") == "称职"
    assert village.name in overview


def test_a_missing_ballot_renormalises_and_says_so(client, branch):
    _, _, _, cadre, pledge = branch
    for item, (_, _, completion) in zip(pledge.items, ZHANG_SAN_ITEMS, strict=True):
        verify(client, cadre, item, completion)
    db.session.add(
        TownshipScore(cadre_id=cadre.id, year=YEAR, score=Decimal(85), scored_by_id=branch[2].id)
    )
    db.session.commit()

    page = client.get(f"/branch/appraisal/{YEAR}/{cadre.id}").get_data(as_text=True)

    assert "缺少群众测评，综合得分按其余各项折算" in page
    assert "群众测评：未举行" in page
    assert field_value(page, "combined") == "80.7"  # (0.5×79.0 + 0.2×85) / 0.7 = 80.71…
    listing = client.get(f"/branch/appraisal/{YEAR}").get_data(as_text=True)
    assert "缺少群众测评" in field_value(listing, "flags")
    assert 'id="no-ballot"' in listing


def test_results_wait_until_every_item_is_verified(client, branch):
    _, _, _, cadre, pledge = branch
    verify(client, cadre, pledge.items[0], "100")

    page = client.get(f"/branch/appraisal/{YEAR}").get_data(as_text=True)

    assert field_value(page, "waiting") == "尚有 2 项承诺未核定完成情况"


def test_completion_above_100_is_kept_and_counted_as_100(client, branch):
    _, _, _, cadre, pledge = branch

    page = verify(client, cadre, pledge.items[0], "130").get_data(as_text=True)

    assert pledge.items[0].verified_completion == Decimal("130.0")
    assert "130%（按 100% 计）" in page


@pytest.mark.parametrize("value", ["-5", "abc", "80.25", "1e308", "Infinity", "NaN", "9" * 30])
def test_a_bad_completion_is_refused(client, branch, value):
    _, _, _, cadre, pledge = branch

    page = verify(client, cadre, pledge.items[0], value).get_data(as_text=True)

    assert "flash-error" in page
    assert pledge.items[0].verified_completion is None


def test_a_completion_typed_with_a_chinese_input_method_reads(client, branch):
    _, _, _, cadre, pledge = branch
    verify(client, cadre, pledge.items[0], "８０．５％")
    assert pledge.items[0].verified_completion == Decimal("80.5")


def test_a_pledge_not_yet_public_cannot_be_verified(client, branch):
    village, *_ = branch
    other = create_cadre(village=village, name="李四", post="村委会委员")
    pledge = create_pledge(cadre=other, state=PledgeState.CONFIRMED)

    page = verify(client, other, pledge.items[0], "90").get_data(as_text=True)

    assert "承诺公开后才能核定完成情况" in page
    assert pledge.items[0].verified_completion is None


@pytest.mark.parametrize("value", ["101", "-1", "85.55", "1e308", "Infinity", "-Infinity", "  "])
def test_a_township_score_out_of_range_is_refused(app, branch, value):
    _, _, reviewer, cadre, _ = branch
    township = app.test_client()
    login(township, reviewer)

    page = score(township, cadre, value).get_data(as_text=True)

    assert "乡镇评价" in page and "flash-error" in page
    assert db.session.query(TownshipScore).count() == 0


def test_another_villages_cadre_is_not_found(app, client, branch):
    _, _, reviewer, _, _ = branch
    elsewhere = create_village()  # another township
    theirs = create_cadre(village=elsewhere, name="王五")
    their_item = create_pledge(cadre=theirs).items[0]

    assert client.get(f"/branch/appraisal/{YEAR}/{theirs.id}").status_code == 404
    assert verify(client, theirs, their_item, "90").status_code == 404
    township = app.test_client()
    login(township, reviewer)
    assert score(township, theirs, "85").status_code == 404
    assert "王五" not in township.get(f"/township/appraisal/{YEAR}").get_data(as_text=True)
    assert db.session.query(TownshipScore).count() == 0


def test_a_neighbouring_villages_cadre_is_not_the_secretarys(client, branch):
    village, *_ = branch
    neighbour = create_village(township=village.township)
    theirs = create_cadre(village=neighbour, name="赵六")

    assert client.get(f"/branch/appraisal/{YEAR}/{theirs.id}").status_code == 404
    assert "赵六" not in client.get(f"/branch/appraisal/{YEAR}").get_data(as_text=True)


def test_last_years_grade_comes_from_the_cadres_record_in_the_first_year(client, branch):
    _, _, _, cadre, _ = branch
    cadre.previous_grade = None
    db.session.commit()
    page = client.get(f"/branch/appraisal/{YEAR}/{cadre.id}").get_data(as_text=True)
    assert '上年度等次</dt><dd id="last-year">无' in page


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_reaches_the_appraisal_pages(app, role):
    village = create_village()
    cadre = create_cadre(village=village)
    user = (
        create_user(role=role, village=village)
        if role.is_village_role
        else create_user(role=role, township=village.township)
    )
    visitor = app.test_client()
    login(visitor, user)
    expected_branch = 200 if role is Role.SECRETARY else 403
    expected_township = 200 if role is Role.TOWNSHIP else 403

    assert visitor.get(f"/branch/appraisal/{YEAR}").status_code == expected_branch
    assert visitor.get(f"/branch/appraisal/{YEAR}/{cadre.id}").status_code == expected_branch
    assert visitor.get(f"/township/appraisal/{YEAR}").status_code == expected_township


def _shown(page: str, prefix: str) -> str:
    return re.search(rf'name="{prefix}-shown" type="hidden" value="([^"]*)"', page).group(1)


def test_a_completion_from_a_stale_tab_does_not_overwrite_a_newer_one(client, branch):
    _, _, _, cadre, pledge = branch
    item = pledge.items[0]
    url = f"/branch/appraisal/{YEAR}/{cadre.id}"
    stale = _shown(client.get(url).get_data(as_text=True), f"item-{item.id}")
    fresh_page = client.get(url).get_data(as_text=True)
    client.post(
        f"{url}/items/{item.id}",
        data={
            f"item-{item.id}-completion": "90",
            f"item-{item.id}-shown": _shown(fresh_page, f"item-{item.id}"),
        },
    )
    refused = client.post(
        f"{url}/items/{item.id}",
        data={f"item-{item.id}-completion": "60", f"item-{item.id}-shown": stale},
    )
    assert refused.status_code == 303 and refused.location == url  # back to the page, which says
    page = client.get(url).get_data(as_text=True)
    assert "已被修改，请查看最新内容后重新填写" in page
    assert item.verified_completion == Decimal("90.0")
    assert 'data-field="verified">90%' in page  # the page shows the newer value


def test_a_township_score_from_a_stale_tab_does_not_overwrite_a_newer_one(app, branch):
    _, _, reviewer, cadre, _ = branch
    township = app.test_client()
    login(township, reviewer)
    page = township.get(f"/township/appraisal/{YEAR}").get_data(as_text=True)
    stale = _shown(page, f"cadre-{cadre.id}")
    url = f"/township/appraisal/{YEAR}/{cadre.id}/score"
    township.post(url, data={f"cadre-{cadre.id}-score": "85", f"cadre-{cadre.id}-shown": stale})
    refused = township.post(
        url, data={f"cadre-{cadre.id}-score": "70", f"cadre-{cadre.id}-shown": stale}
    )
    assert refused.status_code == 303  # back to the page, which says why
    page = township.get(refused.location).get_data(as_text=True)
    assert "已被修改，请查看最新内容后重新填写" in page
    assert db.session.query(TownshipScore).one().score == Decimal("85.0")
