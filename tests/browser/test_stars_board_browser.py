"""A villager reads the 党员星级榜 on a phone (390×844, issue 19): each member's current stars
after the approved year, 摘星 / 升星 with the public reasons, 免评 as 免评, nothing private, and
no sideways scrolling."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from starrating.extensions import db
from starrating.rules.star_changes import DEFAULT_AWARD_REASONS, DEFAULT_REMOVAL_REASONS, ChangeKind
from starrating.services.stars import ChangeFacts, record_star_change
from tests.blueprints.stars_world import NEXT, TODAY, approved_world
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser
NOTE = "本人在支委会上作了检讨"


def seed(live_server) -> str:
    def make() -> str:
        world = approved_world()
        song, li = world.members["宋明远"], world.members["李桂兰"]
        for member, kind, star, reason, day in (
            (
                song,
                ChangeKind.REMOVE,
                "organisation",
                DEFAULT_REMOVAL_REASONS[1],
                date(NEXT, 3, 10),
            ),
            (song, ChangeKind.REMOVE, "exemplary", DEFAULT_REMOVAL_REASONS[4], date(NEXT, 5, 2)),
            (li, ChangeKind.AWARD, "volunteering", DEFAULT_AWARD_REASONS[1], date(NEXT, 4, 1)),
        ):
            facts = ChangeFacts(kind, star, day, day, reason, NOTE)
            record_star_change(actor=world.secretary, member=member, facts=facts, today=TODAY)
        db.session.commit()
        return world.village.code

    return live_server.seed(make)


def test_a_villager_reads_the_star_standing_on_a_phone(live_server, page: Page, screenshot):
    code = seed(live_server)
    page.goto(f"{live_server.url}/{code}/board")
    page.get_by_role("link", name="党员星级榜").click()
    section = page.locator("#star-standing")
    expect(section).to_be_in_viewport()
    expect(section).to_contain_text("摘星 2 次 / 升星 0 次")
    expect(section).to_contain_text("摘星 0 次 / 升星 1 次")
    expect(section).to_contain_text(DEFAULT_REMOVAL_REASONS[1])
    expect(section.locator("tbody.exempt")).to_contain_text("免评")
    song = section.locator("tbody.member", has_text="宋明远")
    expect(song.locator(".stars .on")).to_have_count(8)
    assert NOTE not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board scrolls sideways on a phone ({width} px)"
    screenshot("board-star-standing")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "board-star-standing-section.png"))
