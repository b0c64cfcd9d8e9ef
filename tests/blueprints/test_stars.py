"""Stars through the year (issue 19, DESIGN.md §15): after a year is approved each member's
stars are current; the secretary records the 支委会's 摘星 and 升星 during the year after; the
board's 党员星级榜 shows the current stars and the public reasons (never the note); the member's
page shows every year's stored stars and grade and every change; the next year's page shows
the stars it starts from."""

from datetime import date

import pytest
from sqlalchemy import func, select

from starrating.blueprints.branch import stars as star_views
from starrating.extensions import db
from starrating.models import AuditEvent, Scheme, StarChange, Village
from starrating.queries.stars import public_standing, star_standing
from starrating.rules.star_changes import DEFAULT_AWARD_REASONS, DEFAULT_REMOVAL_REASONS
from starrating.rules.tenstar_scheme_json import scheme_to_dict
from starrating.rules.vocabulary import MemberStatus, Role
from starrating.services.members import mark_member_left
from tests.blueprints.stars_world import NEXT, TODAY, YEAR, approved_world
from tests.factories import counting_queries, create_user, create_village, login, open_assessment

NOTE = "本人在支委会上作了检讨"  # private: never on the board
REMOVE_1, REMOVE_2 = DEFAULT_REMOVAL_REASONS[1], DEFAULT_REMOVAL_REASONS[4]
AWARD = DEFAULT_AWARD_REASONS[1]


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(star_views, "china_today", lambda: TODAY)
    return TODAY


def change(client, member, **values):
    data = {
        "kind": "remove",
        "star_code": "organisation",
        "reason": REMOVE_1,
        "changed_on": f"{NEXT}-03-10",
        "decided_on": f"{NEXT}-03-08",
        "note": "",
    } | values
    return client.post(f"/branch/members/{member.id}/stars", data=data)


def text(response) -> str:
    return response.get_data(as_text=True)


def changes() -> int:
    return db.session.scalar(select(func.count()).select_from(StarChange))


def test_approve_then_two_removals_and_one_award_reach_the_board_and_the_history(
    app, client, today
):
    world = approved_world()
    song, li = world.members["宋明远"], world.members["李桂兰"]
    login(client, world.secretary)

    assert change(client, song, note=NOTE).status_code == 303
    second = dict(star_code="exemplary", reason=REMOVE_2, changed_on=f"{NEXT}-05-02")
    assert change(client, song, decided_on=f"{NEXT}-05-01", **second).status_code == 303
    award = dict(kind="award", star_code="volunteering", reason=AWARD)
    assert change(client, li, changed_on=f"{NEXT}-04-01", decided_on=f"{NEXT}-04-01", **award)
    assert changes() == 3

    standing = star_standing(world.village.id)
    assert standing is not None and standing.year.id == world.year.id
    assert standing.member(song.id).star_count == 8  # 10 approved, two taken away
    assert standing.member(li.id).star_count == 7  # 6 approved, one added
    assert standing.member(world.members["张秀英"].id).star_count == 6

    board = text(client.get(f"/{world.village.code}/board"))
    section = board[board.index('id="star-standing"') :]
    section = section[: section.index("</section>")]
    assert "党员星级榜" in section and f"{YEAR} 年度" in section
    assert "摘星 2 次 / 升星 0 次" in section and "摘星 0 次 / 升星 1 次" in section
    assert REMOVE_1 in section and REMOVE_2 in section and AWARD in section
    assert "老党员" in section and "免评" in section
    assert NOTE not in board  # the private note never reaches the board
    song_row = section[section.index("宋明远") :]
    song_row = song_row[: song_row.index("</tbody>")]
    assert song_row.count("★") == 8 and song_row.count("☆") == 2

    page = text(client.get(f"/branch/members/{song.id}/stars"))
    assert "8 星" in page and "摘星 2 次 / 升星 0 次" in page
    history = page[page.index('id="history"') :]
    assert f"{YEAR} 年度" in history and "10 星 · 优秀" in history
    assert "组织观念星" in history and "带头表率星" in history and NOTE in history
    assert "7 星" in text(client.get(f"/branch/members/{li.id}/stars"))

    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("stars.%"))
    ).all()
    assert sorted(events) == ["stars.award", "stars.remove", "stars.remove"]

    # opening the next year: its page shows the stars it starts from and the changes since
    open_assessment(
        village=world.village, secretary=world.secretary, raters=[world.secretary], year=NEXT
    )
    year_page = text(client.get(f"/branch/years/{NEXT}"))
    section = year_page[year_page.index('id="stars-before"') :]
    section = section[: section.index("</section>")]
    assert "宋明远" in section and "3月10日摘星「组织观念星」" in section
    assert "4月1日升星「义务奉献星」" in section
    assert 'id="stars-before"' not in text(client.get(f"/branch/years/{YEAR}"))


REFUSED = {
    "a star not held": (
        "李桂兰",
        dict(star_code="duty", reason=REMOVE_1),
        "该党员目前没有「履职尽责星」，不能摘星",
    ),
    "a star already held": (
        "李桂兰",
        dict(kind="award", star_code="ideals", reason=AWARD),
        "该党员已有「理想信念星」，不能再升星",
    ),
    "beyond ten": (
        "宋明远",
        dict(kind="award", star_code="duty", reason=AWARD),
        "该党员已是十星，不能再升星",
    ),
    "no decision date": ("李桂兰", dict(decided_on=""), "支委会研究决定的日期"),
    "a date before the approval": (
        "李桂兰",
        dict(changed_on=f"{YEAR}-11-20", decided_on=f"{YEAR}-11-20"),
        f"至 {NEXT} 年底之间",
    ),
    "a date after today": (
        "李桂兰",
        dict(changed_on=f"{NEXT}-08-01"),
        "摘星日期不能晚于今天",
    ),
    "a decision after the change": (
        "李桂兰",
        dict(decided_on=f"{NEXT}-03-20"),
        "支委会研究决定的日期不能晚于摘星日期",
    ),
    "a reason not in the scheme": (
        "李桂兰",
        dict(reason="看他不顺眼"),
        "请从方案列出的摘星理由中选择",
    ),
    "an award reason for a removal": ("李桂兰", dict(reason=AWARD), "请从方案列出的摘星理由中选择"),
    "a 免评 member": ("老党员", {}, f"该党员 {YEAR} 年度免评，没有星级，不能摘星"),
    "a member not in the approved year": (
        "新党员",
        {},
        f"该党员不在 {YEAR} 年度的评定名单中，没有可调整的星级",
    ),
}


@pytest.mark.parametrize("name, values, message", REFUSED.values(), ids=REFUSED.keys())
def test_a_change_that_does_not_fit_is_refused_in_chinese_and_nothing_is_stored(
    app, client, today, name, values, message
):
    world = approved_world()
    people = world.members | {"老党员": world.exempt, "新党员": world.newcomer}
    login(client, world.secretary)

    response = change(client, people[name], **values)

    assert response.status_code == 422
    assert message in text(response)
    assert changes() == 0


def test_a_member_transferred_out_gets_no_change(app, client, today):
    world = approved_world()
    zhang = world.members["张秀英"]
    mark_member_left(
        actor=world.secretary,
        member=zhang,
        status=MemberStatus.TRANSFERRED,
        on=date(NEXT, 2, 1),
        expected_version=zhang.version,
        today=TODAY,
    )
    db.session.commit()
    login(client, world.secretary)

    response = change(client, zhang)

    assert response.status_code == 422 and "该党员已转出，不能再摘星" in text(response)
    assert changes() == 0
    standing = public_standing(world.village.id)
    assert standing is not None and "张秀英" not in [str(m.name) for m in standing.members]


def test_another_villages_member_is_not_found_and_a_committee_member_cannot_record(
    app, client, today
):
    world = approved_world()
    other = approved_world(create_village(township=world.village.township))
    login(client, world.secretary)
    assert change(client, other.members["李桂兰"]).status_code == 404
    assert client.get(f"/branch/members/{other.members['李桂兰'].id}/stars").status_code == 404

    committee = app.test_client()
    login(committee, world.committee)
    assert committee.get(f"/branch/members/{world.members['李桂兰'].id}/stars").status_code == 200
    assert change(committee, world.members["李桂兰"]).status_code == 403
    assert changes() == 0


def test_before_an_approved_year_there_are_no_current_stars(app, client, today):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    login(client, secretary)
    assert "还没有经乡镇审批的年度评定结果" in text(client.get("/branch/stars"))
    assert 'id="star-standing"' not in text(client.get(f"/{village.code}/board"))


def _scheme_rules(world, **changes_rules):
    scheme = db.session.get(Scheme, world.year.scheme_id)
    rules = dict(scheme.rules)
    tenstar = scheme_to_dict(scheme.tenstar)
    tenstar["changes"] |= changes_rules
    scheme.rules = rules | {"tenstar": tenstar}
    db.session.commit()


def test_the_scheme_can_forbid_awards(app, client, today):
    world = approved_world()
    _scheme_rules(world, award_allowed=False)
    login(client, world.secretary)
    page = text(client.get(f"/branch/members/{world.members['李桂兰'].id}/stars"))
    assert "按乡镇方案，不允许升星" in page
    award = dict(kind="award", star_code="volunteering", reason=AWARD)
    response = change(client, world.members["李桂兰"], **award)
    assert response.status_code == 422 and changes() == 0


def test_the_scheme_can_keep_the_standing_off_the_board(app, client, today):
    world = approved_world()
    scheme = db.session.get(Scheme, world.year.scheme_id)
    scheme.rules = dict(scheme.rules) | {"board": {"star_standing": False}}
    db.session.commit()
    assert 'id="star-standing"' not in text(client.get(f"/{world.village.code}/board"))
    login(client, world.secretary)
    assert "星级榜不在网上公示栏公开" in text(client.get("/branch/stars"))


def test_a_scheme_stored_before_the_settings_reads_the_defaults(app):
    world = approved_world()
    scheme = db.session.get(Scheme, world.year.scheme_id)
    old = {k: v for k, v in scheme.rules["tenstar"].items() if k != "changes"}
    scheme.rules = {k: v for k, v in scheme.rules.items() if k != "board"} | {"tenstar": old}
    db.session.commit()
    db.session.expire_all()
    scheme = db.session.get(Scheme, world.year.scheme_id)
    assert scheme.tenstar.changes.removal_reasons == DEFAULT_REMOVAL_REASONS
    assert scheme.tenstar.changes.award_allowed is True
    assert scheme.board.star_standing is True


def test_the_board_and_the_history_read_in_a_fixed_number_of_queries(app, client, today):
    world = approved_world()
    login(client, world.secretary)
    song = world.members["宋明远"]

    def counted(url):
        with counting_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    board, page = (
        counted(f"/{world.village.code}/board"),
        counted(f"/branch/members/{song.id}/stars"),
    )
    for day in (10, 11, 12):
        assert change(client, song, changed_on=f"{NEXT}-03-{day}").status_code == 303
        award = dict(kind="award", reason=AWARD, changed_on=f"{NEXT}-03-{day}")
        assert change(client, song, **award).status_code == 303
    assert counted(f"/{world.village.code}/board") == board
    assert counted(f"/branch/members/{song.id}/stars") == page


def test_the_demo_village_beitang_has_current_stars_and_one_removal(app, client, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    village = db.session.scalar(select(Village).where(Village.code == "beitang"))
    standing = star_standing(village.id)
    assert standing is not None and standing.year.year == 2026
    changed = [m for m in standing.members if m.changes]
    assert len(changed) == 1 and changed[0].removed == 1
    assert changed[0].star_count == sum(changed[0].approved) - 1
    board = text(client.get("/beitang/board"))
    assert "党员星级榜" in board and "摘星 1 次 / 升星 0 次" in board
    assert "连续三个月未交党费" not in board  # the demo's private note


def test_the_door_cards_print_every_member_on_the_roster_or_one(app, client, today):
    world = approved_world()
    zhang = world.members["张秀英"]
    mark_member_left(
        actor=world.secretary,
        member=zhang,
        status=MemberStatus.TRANSFERRED,
        on=date(NEXT, 2, 1),
        expected_version=zhang.version,
        today=TODAY,
    )
    db.session.commit()
    login(client, world.secretary)
    page = text(client.get("/branch/stars/cards"))
    assert page.count('class="door-card"') == 6  # seven in the year, one transferred out
    assert "张秀英" not in page and "共 2 页" in page
    one = text(client.get(f"/branch/stars/cards?member={world.members['李桂兰'].id}"))
    assert one.count('class="door-card"') == 1 and "李桂兰" in one
    assert client.get(f"/branch/stars/cards?member={zhang.id}").status_code == 404

    committee = app.test_client()
    login(committee, world.committee)
    assert committee.get("/branch/stars/cards").status_code == 403
    nobody = app.test_client()
    login(nobody, create_user(role=Role.SECRETARY, village=create_village()))
    assert nobody.get("/branch/stars/cards").status_code == 404
