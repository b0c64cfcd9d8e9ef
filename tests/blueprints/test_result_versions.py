"""Results are records (DESIGN.md §16, issue 15): publishing stores a numbered version signed off
by another committee member; a correction during publicity is a new version the board shows
with 更正于 and what changed; the first stays readable in the archive; the township approves
the version submitted, and nothing changes it afterwards."""

import io
import re
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

import starrating.blueprints.board as board_view
import starrating.blueprints.branch as branch_home
import starrating.blueprints.township.exports as township_exports
from starrating.blueprints.branch import review as review_view
from starrating.blueprints.branch import versions as versions_view
from starrating.extensions import db
from starrating.models import Member, ObjectionTopic, ResultVersion, YearReview
from starrating.plain import restore
from starrating.queries.assessment import assessed_members
from starrating.queries.versions import TenStarContent, build, tenstar_of
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services import review as review_service
from starrating.services.assessment import close_marking, reopen_marking
from starrating.services.marking import record_marks
from starrating.services.objections import answer_objection, file_objection
from starrating.services.versions import LEGACY_NOTE, backfill_versions
from tests.blueprints.publicity import ORGANISATIONAL, YEAR, ready_year
from tests.blueprints.test_review_village import (
    AFTER,
    PUBLISH_DAY,
    post,
    review_page,
    section,
    shown_digest,
    text,
    year_record,
)
from tests.factories import create_user, login, signed_off

CORRECTED = date(YEAR, 11, 28)


def days(monkeypatch, day: date) -> None:
    for module in (review_view, branch_home, versions_view, township_exports, board_view):
        if hasattr(module, "china_today"):
            monkeypatch.setattr(module, "china_today", lambda: day)


def board(client, village) -> str:
    return client.get(f"/{village.code}/board").get_data(as_text=True)


def wang_line(html: str) -> str:
    found = re.search(
        r"王建国</td>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"grade[^\"]*\">(\S+?)<", html
    )
    assert found, "王建国 not on the board"
    return f"{found.group(1)} {found.group(2)}"


def versions(part: Part = Part.TENSTAR) -> list[ResultVersion]:
    return list(
        db.session.scalars(
            select(ResultVersion).where(ResultVersion.part == part).order_by(ResultVersion.number)
        )
    )


def sign_as(client, user, version: ResultVersion) -> str:
    """Sign in another browser (the secretary's stays logged in)."""
    client = client.application.test_client()
    login(client, user)
    response = client.post(
        f"/branch/years/{YEAR}/versions/{version.id}/sign", follow_redirects=True
    )
    return text(response.get_data(as_text=True))


def test_publishing_needs_a_version_signed_off_by_another_committee_member(client, monkeypatch):
    village, secretary, _ = ready_year()
    member = create_user(role=Role.COMMITTEE, village=village)
    login(client, secretary)
    days(monkeypatch, PUBLISH_DAY)
    page = client.get(f"/branch/years/{YEAR}/review/publish").get_data(as_text=True)
    assert "公示前，须由村务监督委员会成员" in text(page) and "确认公示" not in page
    assert "已生成十星级评定结果公示稿第 1 版" in post(client, "versions/tenstar/prepare")
    first = versions()[0]
    # nobody signs what they prepared; publishing before the sign-off is refused with why
    assert "生成公示稿的人不能给自己生成的公示稿签字" in sign_as(client, secretary, first)
    digest = shown_digest_of_rows(client)
    refused = post(client, "review/publish", shown=digest, confirmed="y")
    assert "公示稿尚未审核签字" in text(refused)
    assert year_record().published_on is None
    # the committee member finds it on the home page and signs it
    other = client.application.test_client()
    login(other, member)
    home = other.get("/branch/").get_data(as_text=True)
    assert f"/branch/years/{YEAR}/versions/{first.id}" in home and "待审核签字" in home
    assert "已审核签字" in sign_as(client, member, first)
    assert "已在公示栏公示" in post(
        client, "review/publish", shown=shown_digest(client), confirmed="y"
    )
    published = versions()[0]
    assert (published.number, published.signed_by_id, published.published_on) == (
        1,
        member.id,
        PUBLISH_DAY,
    )
    assert "公示栏显示第 1 版" in section(review_page(client), "publish")


def shown_digest_of_rows(client) -> str:
    """The rows' digest, as a tab opened on the confirmation page would send it."""
    from starrating.queries.board import rows_digest, tenstar_preview

    return rows_digest(tenstar_preview(year_record()))


def test_a_correction_is_a_new_version_with_its_date_and_changes_and_approval_freezes_it(
    client, monkeypatch
):
    village, secretary, year = ready_year()
    member = create_user(role=Role.COMMITTEE, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    days(monkeypatch, PUBLISH_DAY)
    signed_off(year, Part.TENSTAR, signer=member)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISH_DAY)
    db.session.commit()
    assert wang_line(board(client, village)) == "6 合格"

    # a villager's objection holds: 王建国 was marked wrongly; the secretary corrects the marks
    login(client, secretary)
    days(monkeypatch, CORRECTED)
    post(client, "reopen", reopen_reason="群众异议：王建国漏评")
    wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
    marks = {f"star_{code}": "pass" for code in ORGANISATIONAL}
    client.post(f"/branch/marking/{YEAR}/{wang.id}", data={**marks, "save": "保存"})
    post(client, "close")
    # the board still shows what went public, and submission waits for the correction
    assert wang_line(board(client, village)) == "6 合格"
    assert "结果与公示栏上的第 1 版不同" in section(review_page(client), "publish")
    assert "生成更正稿，请审核签字" in section(review_page(client), "publish")
    post(client, "versions/tenstar/prepare")
    assert "公示稿尚未审核签字" in post(client, "versions/tenstar/correct")
    assert "已审核签字" in sign_as(client, member, versions()[-1])
    assert "已公示更正" in post(client, "versions/tenstar/correct")

    html = board(client, village)
    assert wang_line(html) == "10 优秀"
    note = text(re.search(r'id="tenstar-correction">(.*?)</div>', html, re.S).group(1))
    assert "更正于 2026年11月28日 （第 2 版）" in note
    assert "王建国：6 星，合格 → 10 星，优秀" in note
    assert "李桂兰" not in note and "漏评" not in note  # only what changed; never a note
    # the first version, as it went public, is still in the archive
    first, second = versions()
    archive = client.get(f"/branch/years/{YEAR}/versions").get_data(as_text=True)
    assert "第 1 版" in archive and "第 2 版" in archive
    old = client.get(f"/branch/years/{YEAR}/versions/{first.id}").get_data(as_text=True)
    row = re.search(rf'<tr data-assessed-id="{wang.id}">(.*?)</tr>', old, re.S).group(1)
    assert "6" in re.search(r'data-field="stars">(\d+)<', row).group(1)
    assert (first.published_on, second.published_on) == (PUBLISH_DAY, CORRECTED)
    assert first.publicity_ends_on == second.publicity_ends_on == date(YEAR, 11, 30)

    # submitted and approved: that version, named on both steps
    review_service.submit_year(actor=secretary, year=year_record(), today=AFTER)
    needing = review_service.members_needing_approval(year_record())
    review_service.approve_year(
        actor=reviewer, year=year_record(), approved_members=needing, opinion="同意"
    )
    db.session.commit()
    steps = {r.step.value: r.versions for r in db.session.scalars(select(YearReview))}
    assert steps["submit"] == steps["approve"] == {"tenstar": second.id}

    # a stored version rebuilt from its inputs is the same version
    rebuilt = build(year_record(), Part.TENSTAR)
    assert (rebuilt.content_digest, rebuilt.inputs_digest) == (
        second.content_digest,
        second.inputs_digest,
    )
    assert restore(TenStarContent, second.content) == rebuilt.content

    # after approval: an edit is refused, and the workbooks do not move, even when a roster
    # fact the live results would read changes
    township_client = client.application.test_client()
    login(township_client, reviewer)
    days(monkeypatch, AFTER)
    url = f"/township/exports/villages/{village.id}/years/{YEAR}/tenstar.xlsx"
    before = cells(township_client.get(url).data)
    summary = f"/township/exports/years/{YEAR}/township.xlsx"
    township = cells(township_client.get(summary).data)
    refused = client.post(
        f"/branch/marking/{YEAR}/{wang.id}",
        data={**{f"star_{c}": "fail" for c in ORGANISATIONAL}, "save": "保存"},
        follow_redirects=True,
    )
    assert "已经乡镇审核通过并锁定" in text(refused.get_data(as_text=True))
    db.session.get(Member, wang.member_id).name = "王建设"  # a roster change after the year
    db.session.commit()
    assert cells(township_client.get(url).data) == before
    assert cells(township_client.get(summary).data) == township
    assert any("王建国" in str(v) for sheet in before for row in sheet for v in row)
    assert tenstar_of(second).members[0].public.name == "王建国"


def cells(data: bytes) -> list[list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return [[tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book]


def test_years_published_before_versions_get_theirs_from_the_data_step(app):
    village, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISH_DAY)
    review_service.submit_year(actor=secretary, year=year, today=AFTER)
    db.session.commit()
    # a database from before migration 0017: the year is public but has no version
    for review in db.session.scalars(select(YearReview)):
        review.versions = None
    for version in versions():
        db.session.delete(version)
    db.session.commit()
    assert backfill_versions() == 1
    assert backfill_versions() == 0  # safe to run again
    db.session.commit()
    (stored,) = versions()
    assert (stored.number, stored.published_on, stored.publication) == (1, PUBLISH_DAY, 1)
    assert stored.note == LEGACY_NOTE and stored.signed_by_id is None
    submission = db.session.scalar(select(YearReview).where(YearReview.step == "submit"))
    assert submission.versions == {"tenstar": stored.id}
    assert stored.content_digest == build(year_record(), Part.TENSTAR).content_digest


def test_init_db_runs_the_data_step_after_upgrading(app, monkeypatch):
    import starrating.cli

    upgraded = []  # the schema upgrade itself runs in tests/test_cli.py on a database file
    monkeypatch.setattr(starrating.cli, "upgrade", lambda: upgraded.append(True))
    _, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISH_DAY)
    db.session.commit()
    for version in versions():
        db.session.delete(version)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert upgraded == [True] and "已为升级前公示的年度补存 1 个结果版本" in result.output
    assert [v.number for v in versions()] == [1]


def test_the_archive_keeps_each_publication_as_published_with_the_objections(client, monkeypatch):
    village, secretary, year = ready_year()
    member = create_user(role=Role.COMMITTEE, village=village)
    member.display_name = "张监督"
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    stranger = create_user(role=Role.TOWNSHIP)
    signed_off(year, Part.TENSTAR, signer=member)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISH_DAY)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="王建国的先锋星漏评了",
        name="李举报",
        phone="13900001111",
    )
    answer_objection(actor=secretary, objection=objection, answer="已核实，予以更正。")
    reopen_marking(actor=secretary, year=year, reason="群众异议")
    wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
    record_marks(rater=secretary, assessed=wang, marks=dict.fromkeys(ORGANISATIONAL, True))
    close_marking(actor=secretary, year=year)
    signed_off(year, Part.TENSTAR, signer=member)
    review_service.publish_correction(
        actor=secretary, year=year, part=Part.TENSTAR, today=CORRECTED
    )
    db.session.commit()

    login(client, secretary)
    page = text(client.get(f"/branch/years/{YEAR}/archive").get_data(as_text=True))
    assert "十星级评定结果第 1 版（公示）" in page and "十星级评定结果第 2 版（更正）" in page
    assert "张监督" in page and "已核实，予以更正。" in page and "王建国的先锋星漏评了" in page
    assert "李举报" not in page and "13900001111" not in page
    data = client.get(f"/branch/exports/years/{YEAR}/archive.xlsx").data
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    (artifacts / "archive.xlsx").write_bytes(data)  # to render and look at (docs/EXCEL.md)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["十星评定第1版公示", "十星评定第2版更正", "群众异议与答复"]
    first = [row for row in book["十星评定第1版公示"].iter_rows(values_only=True)]
    second = [row for row in book["十星评定第2版更正"].iter_rows(values_only=True)]
    assert any(r[1] == "王建国" and "合格" in str(r) and "优秀" not in str(r) for r in first)
    assert any(r[1] == "王建国" and "优秀" in str(r) for r in second)
    assert any("公示：2026-11-26 起至 2026-11-30" in str(r) for r in first)
    assert "李举报" not in str(list(book["群众异议与答复"].iter_rows(values_only=True)))

    township = client.application.test_client()
    login(township, reviewer)
    url = f"/township/villages/{village.id}/years/{YEAR}/archive"
    assert "十星级评定结果第 2 版（更正）" in text(township.get(url).get_data(as_text=True))
    other = client.application.test_client()
    login(other, stranger)
    assert other.get(url).status_code == 404
