"""The secretary's to-do list: what waits, with counts and where to act, in the order of the
work — raters still marking, the 优秀 confirmation, rounds voting or counting, the next step,
objections and overdue quarterly reports."""

from datetime import date

from starrating.extensions import db
from starrating.models import ObjectionTopic
from starrating.queries.assessment import assessed_members
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.assessment import close_marking, reopen_marking
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
)
from starrating.services.marking import record_marks
from starrating.services.objections import file_objection
from starrating.services.review import publish_results
from starrating.services.todo import Todo, secretary_todos
from starrating.services.versions import prepare_version, sign_off
from tests.blueprints.publicity import ORGANISATIONAL, YEAR, add_cadre, ready_year
from tests.factories import create_member, create_user, create_village, open_assessment, signed_off

TODAY = date(YEAR, 11, 20)


def texts(todos: list[Todo]) -> list[str]:
    return [todo.text for todo in todos]


def test_a_village_without_a_year_is_asked_to_open_one(app):
    village = create_village()
    assert secretary_todos(village.id, today=TODAY) == [
        Todo(f"开启 {YEAR} 年度党员十星级评定", "branch.years", {}, "open-year")
    ]


def test_each_rater_still_marking_is_named_with_how_many_are_left(app):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    song = create_user(role=Role.COMMITTEE, village=village)
    song.display_name = "宋德胜"
    for name in ("甲", "乙", "丙"):
        create_member(village=village, name=name)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary, song])
    first, *_ = assessed_members(year.id)
    record_marks(rater=song, assessed=first, marks=dict.fromkeys(ORGANISATIONAL, True))
    db.session.commit()
    todos = secretary_todos(village.id, today=TODAY)
    assert texts(todos) == [f"{secretary.display_name}还差 3 人未评", "宋德胜还差 2 人未评"]
    assert todos[1] == Todo("宋德胜还差 2 人未评", "branch.year", {"year": YEAR}, "progress")


def test_when_every_rater_is_done_the_next_step_is_to_close_marking(app):
    _, secretary, _ = ready_year(close=False)
    assert texts(secretary_todos(secretary.village_id, today=TODAY)) == [
        "评委都已评完：可以结束评分"
    ]


def test_a_round_voting_shows_its_turnout_and_a_closed_one_waits_for_certification(app):
    village, secretary, _ = ready_year()
    add_cadre(village, verified=True)
    cadres_round = create_round(
        actor=secretary,
        village=village,
        year=YEAR,
        title="村干部测评",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=600,
    )
    codes = generate_codes(actor=secretary, ballot_round=cadres_round, count=5)
    open_round(actor=secretary, ballot_round=cadres_round)
    rows = subjects(cadres_round.id)
    for code in codes[:2]:
        cast_ballot(village=village, code=code.code, marks={r.id: Choice.SATISFIED for r in rows})
    db.session.commit()
    todos = secretary_todos(village.id, today=TODAY)
    assert (
        Todo("「村干部测评」投票中 2/600", "branch.round", {"round_id": cadres_round.id}) in todos
    )
    assert "评定结果可以公示" in texts(todos)
    close_round(actor=secretary, ballot_round=cadres_round)
    db.session.commit()
    assert "「村干部测评」已结束投票，待计票人和监票人确认计票" in texts(
        secretary_todos(village.id, today=TODAY)
    )


def test_objections_waiting_count_the_days_of_publicity_left(app):
    village, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=date(YEAR, 11, 26))  # to 11-30
    file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="有意见",
        name="",
        phone="",
    )
    db.session.commit()
    todos = secretary_todos(village.id, today=date(YEAR, 11, 28))
    assert Todo("1 条群众异议待答复（公示期剩 3 天）", "branch.objections", {"year": YEAR}) in todos
    assert not any("报送" in text for text in texts(todos))


def test_a_settled_year_after_publicity_is_ready_to_submit(app):
    village, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=date(YEAR, 11, 26))
    db.session.commit()
    assert texts(secretary_todos(village.id, today=date(YEAR, 12, 1))) == [
        "公示已期满：可以报送乡镇审核"
    ]


def test_overdue_quarterly_reports_are_counted_per_cadre(app):
    village, _, _ = ready_year()
    add_cadre(village, verified=False)  # 3 items of a public pledge, nothing reported
    todos = secretary_todos(village.id, today=date(YEAR, 10, 16))  # Q1–Q3 overdue
    assert Todo("张三有 9 份季度汇报逾期未报", "branch.reports_overview") in todos


def test_a_draft_waiting_for_its_sign_off_then_a_correction_due_are_listed(app):
    village, secretary, year = ready_year()
    signer = create_user(role=Role.COMMITTEE, village=village)
    draft = prepare_version(actor=secretary, year=year, part=Part.TENSTAR)
    db.session.commit()
    assert "十星级评定结果公示稿第 1 版待审核签字" in texts(
        secretary_todos(village.id, today=TODAY)
    )
    sign_off(actor=signer, version=draft)
    db.session.commit()
    ready = "十星级评定结果公示稿第 1 版已审核签字，可以公示"
    assert ready in texts(secretary_todos(village.id, today=TODAY))
    publish_results(actor=secretary, year=year, today=date(YEAR, 11, 26))
    reopen_marking(actor=secretary, year=year, reason="更正")
    wang = assessed_members(year.id)[0]
    record_marks(rater=secretary, assessed=wang, marks=dict.fromkeys(ORGANISATIONAL, True))
    close_marking(actor=secretary, year=year)
    db.session.commit()
    todos = texts(secretary_todos(village.id, today=date(YEAR, 11, 27)))
    assert "十星级评定结果公示后有改动：请生成更正稿、审核签字后公示更正" in todos
    assert ready not in todos
