"""The big screen projected at the assembly (1280×720, read from the back of a hall) and the
public receipts list on a cheap phone (360×740); screenshots go to the screenshot folder."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.models import BallotRound, Cadre, Certification
from starrating.models.types import utcnow
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
)
from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.factories import PASSWORD, create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
CHEAP_PHONE = {"width": 360, "height": 740}
NAMES = [
    "王建国",
    "李桂兰",
    "张秀英",
    "刘志强",
    "陈海燕",
    "杨国庆",
    "黄丽华",
    "赵德明",
    "阿依古丽·买买提",
]
WEIGHTS = [(Choice.SATISFIED, 6), (Choice.BASIC, 3), (Choice.DISSATISFIED, 1)]


@dataclass(frozen=True)
class Seeded:
    village_code: str
    village_id: int
    secretary: str
    round_id: int
    receipts: list[str]
    unused: list[str]  # codes not yet voted with


def _seed(live_server, *, ballots: int) -> Seeded:
    """翁家埠村: nine members and two cadres on one ballot, 48 eligible, some phone ballots."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        for name in NAMES:
            create_member(village=village, name=name, phone="13812345678")
        for name in ("孙村长", "马会计"):
            db.session.add(
                Cadre(village=village, name=name, post="村干部", base_pay=Decimal("18000.00"))
            )
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度民主测评",
            members=True,
            cadres=True,
            electorate=Electorate.VILLAGERS,
            eligible=48,
        )
        codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=48)
        open_round(actor=secretary, ballot_round=ballot_round)
        plain = [code.code for code in codes]
        receipts = _vote(village, ballot_round, plain[:ballots])
        db.session.commit()
        return Seeded(
            village.code, village.id, secretary.username, ballot_round.id, receipts,
            plain[ballots:],
        )  # fmt: skip

    return live_server.seed(make)


def _vote(village, ballot_round, codes: list[str]) -> list[str]:
    """Phone ballots, mostly 满意, a few 基本满意 and 不满意 (the same each run)."""
    rows = subjects(ballot_round.id)
    pick = random.Random(len(codes))  # noqa: S311  (test data)
    choices, weights = zip(*WEIGHTS, strict=True)
    return [
        cast_ballot(
            village=village,
            code=code,
            marks={row.id: pick.choices(choices, weights)[0] for row in rows},
        )
        for code in codes
    ]


def _close_and_certify(live_server, seeded: Seeded, *, more: int = 0) -> None:
    """more ballots cast, then closed, and certified by a teller and a scrutineer."""

    def make() -> None:
        ballot_round = db.session.get(BallotRound, seeded.round_id)
        village = ballot_round.village
        _vote(village, ballot_round, seeded.unused[:more])
        actor = create_user(role=Role.SECRETARY, village=village)
        close_round(actor=actor, ballot_round=ballot_round)
        teller = create_user(role=Role.TELLER, village=village)
        scrutineer = create_user(role=Role.COMMITTEE, village=village)
        teller.display_name, scrutineer.display_name = "周计票", "吴监票"
        db.session.add_all(
            Certification(round_id=ballot_round.id, user_id=user.id)
            for user in (teller, scrutineer)
        )
        ballot_round.certified_at = utcnow()
        db.session.commit()

    live_server.seed(make)


@pytest.fixture
def projector(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PROJECTOR, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _shoot(page: Page, name: str, *, full: bool) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=full)


def _font_px(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_the_big_screen_while_open_and_after_certification(live_server, projector):
    seeded = _seed(live_server, ballots=19)
    page = projector
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(seeded.secretary)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{live_server.url}/branch/rounds/{seeded.round_id}/screen")
    expect(page.locator("#turnout")).to_contain_text("已投 19 / 应到 48")
    expect(page.locator("#quorum")).to_contain_text("还差")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    # read from the back of a hall: the share is huge, no line smaller than the footer's
    assert _font_px(page, ".turnout-share") >= 90
    assert _font_px(page, ".quorum-line") >= 36
    # everything fits on the projected screen: nothing to scroll while it refreshes
    assert page.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    assert page.get_by_text("王建国").count() == 0
    _shoot(page, "big-screen-open", full=False)

    _close_and_certify(live_server, seeded, more=14)
    page.goto(f"{live_server.url}/branch/rounds/{seeded.round_id}/screen")
    expect(page.locator("#certified")).to_contain_text("计票人 周计票、监票人 吴监票")
    expect(page.locator("#results-members")).to_contain_text("王建国")
    expect(page.locator("#results-cadres")).to_contain_text("孙村长")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert _font_px(page, ".subject-name") >= 28
    _shoot(page, "big-screen-certified", full=False)
    _shoot(page, "big-screen-certified-full", full=True)


def test_a_villager_finds_their_receipt_on_a_phone(live_server, browser):
    seeded = _seed(live_server, ballots=40)
    _close_and_certify(live_server, seeded)
    context = browser.new_context(
        viewport=CHEAP_PHONE, locale="zh-CN", is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/v/{seeded.village_code}/receipts")
        assert page.locator(".receipt-grid li").count() == 40
        mine = seeded.receipts[11]
        page.get_by_label("查找我的回执码").fill(f"{mine[:4].lower()} {mine[4:]}")
        page.get_by_role("button", name="查找").click()
        expect(page.locator("#answer")).to_contain_text(f"您的回执码 {mine} 在列，您的选票已计入")
        expect(page.locator(".receipt-grid li.hit")).to_have_text(mine)
        assert page.evaluate("document.documentElement.scrollWidth") <= CHEAP_PHONE["width"]
        page.wait_for_load_state("load")  # the stylesheet, before measuring what it sets
        assert _font_px(page, ".receipt-grid") >= 18
        assert "13812345678" not in page.content()
        _shoot(page, "receipts-found", full=True)
        page.get_by_label("查找我的回执码").fill("ZZZZ9999")
        page.get_by_role("button", name="查找").click()
        expect(page.locator("#answer")).to_contain_text("没有找到")
        _shoot(page, "receipts-not-found", full=False)
    finally:
        context.close()
