"""After the vote, in Chromium: a lost sheet voided by two people, the never-used codes written
off by a committee member, the tally certified; and a villager who scans a used code again on
a phone is shown the receipt (issue 12)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.models import BallotRound, User
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import cast_ballot, close_round, generate_codes, open_round
from starrating.services.paper import key_paper_ballot
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import (
    PASSWORD,
    create_member,
    create_member_round,
    create_user,
    create_village,
    open_assessment,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Seeded:
    village_code: str
    round_id: int
    teller: str
    committee: str
    voted_code: str
    receipt: str


def _seed(live_server) -> Seeded:
    """10 codes: one voted by phone, one sheet keyed once by the teller (then lost); closed."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        teller = create_user(role=Role.TELLER, village=village)
        committee = create_user(role=Role.COMMITTEE, village=village)
        for name in ("王建国", "李桂兰", "张秀英"):
            create_member(village=village, name=name)
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
        codes = [
            c.code for c in generate_codes(actor=secretary, ballot_round=ballot_round, count=10)
        ]
        open_round(actor=secretary, ballot_round=ballot_round)
        first = subjects(ballot_round.id)[0]
        receipt = cast_ballot(village=village, code=codes[1], marks={first.id: Choice.SATISFIED})
        key_paper_ballot(
            user=teller, ballot_round=ballot_round, code=codes[0], marks={first.id: Choice.BASIC}
        )
        close_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        return Seeded(
            village.code, ballot_round.id, teller.username, committee.username, codes[1], receipt
        )

    return live_server.seed(make)


@pytest.fixture
def pcs(browser: Browser) -> Iterator[tuple[Page, Page]]:
    """Two PCs at the tellers' table: the teller's and the committee member's."""
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        for _ in range(2)
    ]
    pages = []
    for context in contexts:
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the buttons' 确定 prompts
        pages.append(page)
    try:
        yield pages[0], pages[1]
    finally:
        for context in contexts:
            context.close()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".topbar")).to_contain_text("退出")


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=True)


def test_a_lost_sheet_is_voided_by_two_and_the_unused_codes_written_off(live_server, pcs):
    seeded = _seed(live_server)
    teller, committee = pcs
    _login(teller, live_server.url, seeded.teller)
    _login(committee, live_server.url, seeded.committee)
    url = f"{live_server.url}/branch/rounds/{seeded.round_id}/certification"

    committee.goto(url)
    waiting = committee.locator("#waiting")
    expect(waiting).to_contain_text("只录入了一次的选票（1 张）")
    expect(committee.locator("#pending")).to_contain_text("1 张纸质选票等待另一人复核")
    waiting.get_by_label("作废原因").fill("纸质选票遗失")
    waiting.get_by_role("button", name="提出作废").click()
    expect(committee.locator(".flash-success")).to_contain_text("需另一人确认后生效")

    teller.goto(url)
    teller.locator("#waiting").get_by_role("button", name="确认作废").click()
    expect(teller.locator(".flash-success")).to_contain_text("第 1 号选票已作废，不计入")
    expect(teller.locator("#not-counted")).to_contain_text("纸质选票遗失")

    committee.goto(url)
    expect(committee.locator("#codes-printed")).to_have_text("10")
    expect(committee.locator("#codes-phone")).to_have_text("1")
    committee.get_by_role("button", name="核销未使用的票码（9 张）").click()
    expect(committee.locator(".flash-success")).to_contain_text("已核销未使用的票码 9 张")

    teller.goto(url)
    teller.get_by_role("button", name="确认计票结果").click()
    committee.goto(url)
    committee.get_by_role("button", name="确认计票结果").click()
    expect(committee.locator("#certified")).to_contain_text("由两人确认，结果生效")
    _shoot(committee, "certification")

    def check() -> None:
        ballot_round = db.session.get(BallotRound, seeded.round_id)
        assert ballot_round.certified_at is not None and ballot_round.written_off_count == 9
        assert db.session.get(User, ballot_round.written_off_by_id).username == seeded.committee

    live_server.seed(check)


def test_a_used_code_scanned_again_on_a_phone_shows_its_receipt(live_server, browser):
    seeded = _seed(live_server)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/v/{seeded.village_code}/t/{shown(seeded.voted_code)}")
        expect(phone.get_by_role("heading", name="已投票")).to_be_visible()
        expect(phone.locator(".receipt")).to_have_text(seeded.receipt)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shoot(phone, "ballot-used-again")
    finally:
        context.close()
