"""The 村务监督委员会 on a phone (390×844): the secretary seats its members and a relative of a
cadre is refused with why; once it is established, its chair opens the 公示稿 from the home page
and signs it off (DESIGN.md §14, §16)."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from starrating.extensions import db
from starrating.models import Cadre, CadreRelative
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import PostKind, Role
from starrating.services.supervision import add_supervisor, establish
from starrating.services.versions import prepare_version
from tests.blueprints.publicity import ready_year
from tests.browser.test_township_pages import log_in
from tests.factories import create_user

pytestmark = pytest.mark.browser

NAMES = ("孙志强", "姜桂兰", "林春生")


def _no_sideways(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} scrolls sideways on a phone ({width} px)"


def _choose(page: Page, name: str) -> None:
    """Pick the account whose option starts with the name (孙志强（supervisor7）)."""
    label = page.locator("select[name=user_id] option", has_text=name).inner_text()
    page.select_option("select[name=user_id]", label=label)


def test_the_secretary_keeps_the_committee_on_a_phone(live_server, page: Page, screenshot):
    def make() -> dict[str, str]:
        village, secretary, _ = ready_year()
        for name in NAMES:
            create_user(role=Role.SUPERVISOR, village=village, display_name=name)
        relative = create_user(role=Role.SUPERVISOR, village=village, display_name="李红")
        cadre = Cadre(
            village=village,
            name="李永利",
            post="村委会主任",
            post_kind=PostKind.VILLAGE_COMMITTEE,
            base_pay=Decimal(24000),
        )
        cadre.relatives = [CadreRelative(name="李红", relation="女儿", user_id=relative.id)]
        db.session.add(cadre)
        db.session.commit()
        return {"secretary": secretary.username}

    seeded = live_server.seed(make)
    log_in(page, live_server.url, seeded["secretary"])
    page.get_by_role("link", name="监委会").click()
    for n, name in enumerate(NAMES):
        _choose(page, name)
        if n == 0:
            page.check("input[name=chair]")
        page.get_by_role("button", name="添加", exact=True).click()
        expect(page.locator("div.flash-success")).to_contain_text("已添加村务监督委员会成员")
    _choose(page, "李红")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("div.flash-error")).to_contain_text(
        "「李红」是村干部「李永利」（村委会主任）登记的近亲属（女儿）"
    )
    page.get_by_role("button", name="确认名单（3–5 名，一名主任）").click()
    expect(page.locator("div.flash-success")).to_contain_text("村务监督委员会名单已确认")
    expect(page.locator("#seats")).to_contain_text("孙志强 主任")
    _no_sideways(page, "the 监委会 page")
    screenshot("supervisors-page")


def test_the_chair_signs_the_draft_on_a_phone(live_server, page: Page, screenshot):
    def make() -> dict[str, str]:
        village, secretary, year = ready_year()
        accounts = [
            create_user(role=Role.SUPERVISOR, village=village, display_name=name) for name in NAMES
        ]
        for n, account in enumerate(accounts):
            add_supervisor(actor=secretary, village=village, user_id=account.id, chair=n == 0)
        establish(actor=secretary, village=village)
        prepare_version(actor=secretary, year=year, part=Part.TENSTAR)
        db.session.commit()
        return {"chair": accounts[0].username}

    seeded = live_server.seed(make)
    log_in(page, live_server.url, seeded["chair"])
    expect(page.locator(".topbar")).to_contain_text("监委会成员")
    page.get_by_role("link", name="2026 年度十星级评定结果公示稿第 1 版").click()
    expect(page.locator("#version-members")).to_contain_text("王建国")
    _no_sideways(page, "the 公示稿")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="我已核对，审核签字").click()
    expect(page.locator("div.flash-success")).to_contain_text("已审核签字")
    expect(page.locator("[data-field=signed]")).to_contain_text("孙志强")
    screenshot("supervisor-signed")
