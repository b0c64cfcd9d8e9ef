"""The township's dashboard and review page on a PC (1280×800) and the dashboard on a phone:
villages in every stage, the grade chart, and an approval with every member ticked."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.models import ObjectionTopic
from starrating.models.types import recorded_at
from starrating.queries.assessment import assessed_members
from starrating.rules.assessment_state import Step
from starrating.rules.vocabulary import Role
from starrating.services.marking import record_marks
from starrating.services.objections import file_objection
from tests.blueprints.test_township_review import (
    YEAR,
    published_branch,
    take,
)
from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.factories import (
    PASSWORD,
    create_member,
    create_scheme,
    create_township,
    create_user,
    create_village,
    open_assessment,
)

pytestmark = pytest.mark.browser

PC = {"width": 1280, "height": 800}


def _seed(live_server, *, overdue: bool = False) -> dict[str, object]:
    """A township with a village in each stage: 西岙村 submitted, 北塘村 approved, 前洋村 returned,
    东沙村 in publicity with an objection, 南塘村 marking, 翁家埠村 not opened. Overdue: 前洋村
    also has an objection filed 25 days ago and not answered (15 days past the scheme's 10)."""

    def make() -> dict[str, object]:
        township = create_township()
        create_scheme(township=township, year=YEAR)
        branches = {}
        for name in ("西岙村", "北塘村", "前洋村", "东沙村"):
            branches[name] = published_branch(create_village(township=township, name=name))
        for name in ("西岙村", "北塘村", "前洋村"):
            take(Step.SUBMIT, branches[name].secretary, branches[name])
        take(Step.APPROVE, branches["北塘村"].reviewer, branches["北塘村"])
        take(Step.RETURN, branches["前洋村"].reviewer, branches["前洋村"])
        file_objection(
            village=branches["东沙村"].village,
            year=YEAR,
            topic=ObjectionTopic.TENSTAR,
            content="宋明远的优秀有疑问",
            name="周大爷",
            phone="",
        )
        if overdue:
            with recorded_at(datetime.now(UTC) - timedelta(days=25)):
                file_objection(
                    village=branches["前洋村"].village,
                    year=YEAR,
                    topic=ObjectionTopic.CADRES,
                    content="村会计的测评分数和组里了解的不一致",
                    name="",
                    phone="",
                )
        marking = create_village(township=township, name="南塘村")
        secretary = create_user(role=Role.SECRETARY, village=marking)
        for number in range(8):
            create_member(village=marking, name=f"南塘党员{number + 1}")
        year = open_assessment(village=marking, secretary=secretary, raters=[secretary])
        codes = [s.code for s in year.scheme.tenstar.stars if s.measure is None]
        for assessed in assessed_members(year.id)[:5]:
            record_marks(rater=secretary, assessed=assessed, marks=dict.fromkeys(codes, True))
        create_village(township=township, name="翁家埠村")
        db.session.commit()
        return {
            "reviewer": branches["西岙村"].reviewer.username,
            "submitted": branches["西岙村"].village.id,
            "returned": branches["前洋村"].village.id,
        }

    return live_server.seed(make)


@pytest.fixture
def pc(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PC, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=True)


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_the_reviewer_reads_the_dashboard_and_approves_a_village(live_server, pc):
    seeded = _seed(live_server)
    _login(pc, live_server.url, str(seeded["reviewer"]))

    pc.click("text=评定进度")
    expect(pc.locator("h1")).to_contain_text(f"{YEAR} 年度评定进度")
    rows = pc.locator("#villages tbody tr")
    expect(rows).to_have_count(6)
    for stage in ("已报乡镇", "已审核通过", "已退回", "公示中", "评分中", "未开启"):
        expect(pc.locator("#villages [data-field=stage]", has_text=stage)).to_have_count(1)
    expect(pc.locator("#grade-chart svg .bar-row")).to_have_count(5)
    expect(pc.locator("#open-objections-total strong")).to_have_text("1")
    _shoot(pc, "township-dashboard")

    pc.locator(f'#villages tr[data-village-id="{seeded["submitted"]}"] a', has_text="审核").click()
    expect(pc.locator("#state")).to_have_text("已报乡镇")
    boxes = pc.locator("#needing input[type=checkbox]")
    expect(boxes).to_have_count(2)
    boxes.first.check()
    pc.click("text=审核通过并锁定")
    expect(pc.locator(".flash-error")).to_contain_text("尚有 1 名评为优秀或不合格的党员未逐一确认")
    expect(pc.locator("#state")).to_have_text("已报乡镇")

    for box in boxes.all():
        box.check()
    pc.fill("textarea[name=opinion] >> nth=0", "评定程序规范，结果属实")
    _shoot(pc, "township-review")
    pc.click("text=审核通过并锁定")
    expect(pc.locator(".flash-success")).to_contain_text("结果已锁定")
    expect(pc.locator("#state")).to_have_text("已审核通过")
    expect(pc.locator("#history")).to_contain_text("评定程序规范，结果属实")
    expect(pc.locator("#reopen textarea[name=reason]")).to_be_visible()
    _shoot(pc, "township-review-approved")


def test_the_reviewer_sees_an_overdue_objection_and_reaches_it(live_server, pc):
    seeded = _seed(live_server, overdue=True)
    _login(pc, live_server.url, str(seeded["reviewer"]))
    pc.goto(f"{live_server.url}/township/dashboard")

    expect(pc.locator("#open-objections-total strong")).to_have_text("2")
    expect(pc.locator("#overdue-objections-total strong")).to_have_text("1")
    overdue = pc.locator("#overdue-list tbody tr")
    expect(overdue).to_have_count(1)
    expect(overdue.first).to_contain_text("前洋村")
    expect(overdue.first.locator("[data-field=days-overdue]")).to_have_text("15 天")
    returned = pc.locator(f'#villages tr[data-village-id="{seeded["returned"]}"]')
    expect(returned.locator("[data-field=overdue]")).to_have_text("1 条超期")
    # the list comes before the table of villages, where it is seen first
    assert (
        pc.locator("#overdue-objections").bounding_box()["y"]
        < pc.locator("#villages").bounding_box()["y"]
    )
    _shoot(pc, "township-dashboard-overdue")

    overdue.first.locator("a", has_text="查看").click()
    expect(pc.locator("#state")).to_have_text("已退回")
    expect(pc.locator("#overdue-count")).to_have_text("1 条异议已超期未答复")
    expect(pc.locator("#objections li.overdue")).to_contain_text("已超期 15 天")
    _shoot(pc, "township-review-overdue")


def test_the_dashboard_fits_a_phone(live_server, page, screenshot):
    seeded = _seed(live_server, overdue=True)
    _login(page, live_server.url, str(seeded["reviewer"]))
    page.goto(f"{live_server.url}/township/dashboard")
    expect(page.locator("#grade-chart svg")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the table scrolls inside its card, the page does not
    screenshot("township-dashboard-phone")
