"""Quarterly reports: a cadre files on their own public items, the secretary on anyone's, and the
overview shows every cadre's items × quarters with the overdue ones."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from starrating.blueprints.branch import reports as report_views
from starrating.extensions import db
from starrating.models import AuditEvent, Cadre, Pledge, PledgeItem, QuarterlyReport, User, Village
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from tests.factories import counting_queries, create_user, create_village, login

TODAY = date(2026, 8, 1)  # Q1 and Q2 have ended (Q2 overdue from 16 July), Q3 under way
YEAR = 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(report_views, "china_today", lambda: TODAY)


def create_cadre(
    *,
    village: Village,
    user: User | None = None,
    name: str = "张三",
    state: PledgeState = PledgeState.PUBLIC,
    items: tuple[str, ...] = ("硬化村道 2 公里", "新建文化广场"),
) -> Cadre:
    """A cadre with a pledge for YEAR of the given items (weights summing to 100)."""
    cadre = Cadre(
        village=village,
        name=name,
        post="村委会主任",
        user_id=user.id if user else None,
        base_pay=Decimal(24000),
    )
    pledge = Pledge(cadre=cadre, year=YEAR, state=state)
    weights = [100 // len(items)] * len(items)
    weights[0] += 100 - sum(weights)
    for position, (content, weight) in enumerate(zip(items, weights, strict=True), start=1):
        pledge.items.append(
            PledgeItem(
                position=position,
                content=content,
                indicator="完成量",
                target="100%",
                deadline=date(YEAR, 12, 31),
                weight=weight,
            )
        )
    db.session.add_all([cadre, pledge])
    db.session.commit()
    return cadre


def first_item(cadre: Cadre) -> PledgeItem:
    return db.session.scalars(
        select(PledgeItem).join(Pledge).where(Pledge.cadre_id == cadre.id).order_by(PledgeItem.id)
    ).first()


def report_count() -> int:
    return len(db.session.scalars(select(QuarterlyReport)).all())


GOOD = {"progress": "60", "done": "完成路基 1.2 公里", "next_step": "九月底前铺面"}


@pytest.fixture
def village():
    return create_village()


@pytest.fixture
def cadre_user(village):
    return create_user(role=Role.CADRE, village=village)


@pytest.fixture
def cadre(village, cadre_user):
    return create_cadre(village=village, user=cadre_user)


def test_a_cadre_sees_own_public_items_and_what_is_due(client, cadre, cadre_user):
    login(client, cadre_user)
    page = client.get("/branch/my-pledges").get_data(as_text=True)
    assert "硬化村道 2 公里" in page and "新建文化广场" in page
    assert "现在要汇报 4 项" in page  # Q1 and Q2 of both items, all overdue by 1 August
    assert "逾期未报" in page


def test_a_cadre_files_a_quarterly_report(client, cadre, cadre_user):
    item = first_item(cadre)
    login(client, cadre_user)
    assert "本季度做了什么" in client.get(f"/branch/reports/{item.id}/2").get_data(as_text=True)
    response = client.post(f"/branch/reports/{item.id}/2", data=GOOD)
    assert response.status_code == 302 and response.location.endswith("/branch/my-pledges")
    report = db.session.scalars(select(QuarterlyReport)).one()
    assert (report.quarter, report.progress, report.filed_by_id) == (2, Decimal(60), cadre_user.id)
    page = client.get("/branch/my-pledges").get_data(as_text=True)
    assert "进度 60%" in page and "现在要汇报 3 项" in page


def test_refiling_a_quarter_updates_it_and_audits_before_and_after(client, cadre, cadre_user):
    item = first_item(cadre)
    login(client, cadre_user)
    client.post(f"/branch/reports/{item.id}/2", data=GOOD)
    assert 'name="version" type="hidden" value="1"' in client.get(
        f"/branch/reports/{item.id}/2"
    ).get_data(as_text=True)
    client.post(f"/branch/reports/{item.id}/2", data=GOOD | {"progress": "75", "version": "1"})
    report = db.session.scalars(select(QuarterlyReport)).one()
    assert (report.progress, report.version) == (Decimal(75), 2)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.update")).one()
    assert event.before == {"progress": "60.0"} and event.after == {"progress": "75.0"}


@pytest.mark.parametrize(
    ("progress", "message"),
    [
        ("120", "0–100"),
        ("-5", "0–100"),
        ("1e308", "请填写数字"),
        ("Infinity", "请填写数字"),
        ("NaN", "请填写数字"),
        ("  ", "此项必填"),
    ],
)
def test_progress_outside_nought_to_a_hundred_is_refused(
    client, cadre, cadre_user, progress, message
):
    item = first_item(cadre)
    login(client, cadre_user)
    response = client.post(f"/branch/reports/{item.id}/1", data=GOOD | {"progress": progress})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有保存" in page and message in page
    assert report_count() == 0


def test_empty_text_is_refused(client, cadre, cadre_user):
    item = first_item(cadre)
    login(client, cadre_user)
    response = client.post(f"/branch/reports/{item.id}/1", data=GOOD | {"done": "  "})
    assert "此项必填" in response.get_data(as_text=True)
    assert report_count() == 0


def test_a_pledge_not_yet_public_takes_no_report(client, village):
    user = create_user(role=Role.CADRE, village=village)
    cadre = create_cadre(village=village, user=user, state=PledgeState.CONFIRMED)
    item = first_item(cadre)
    login(client, user)
    response = client.post(f"/branch/reports/{item.id}/1", data=GOOD)
    assert response.status_code == 400
    assert "承诺还没有公开" in response.get_data(as_text=True)
    assert report_count() == 0


def test_quarter_five_is_refused(client, cadre, cadre_user):
    login(client, cadre_user)
    response = client.post(f"/branch/reports/{first_item(cadre).id}/5", data=GOOD)
    assert response.status_code == 400 and "没有第 5 季度" in response.get_data(as_text=True)
    assert report_count() == 0


def test_a_quarter_not_yet_begun_is_refused(client, cadre, cadre_user):
    login(client, cadre_user)
    response = client.post(f"/branch/reports/{first_item(cadre).id}/4", data=GOOD)
    assert response.status_code == 400 and "还没有开始" in response.get_data(as_text=True)
    assert report_count() == 0


def test_a_cadre_cannot_file_for_another_cadres_item(client, village, cadre_user):
    other = create_cadre(village=village, user=create_user(role=Role.CADRE, village=village))
    login(client, cadre_user)
    assert client.get(f"/branch/reports/{first_item(other).id}/1").status_code == 404
    assert client.post(f"/branch/reports/{first_item(other).id}/1", data=GOOD).status_code == 404
    assert report_count() == 0


def test_another_villages_item_is_a_404_for_the_secretary(client, village):
    secretary = create_user(role=Role.SECRETARY, village=village)
    elsewhere = create_cadre(village=create_village(), name="外村干部")
    login(client, secretary)
    assert (
        client.post(f"/branch/reports/{first_item(elsewhere).id}/1", data=GOOD).status_code == 404
    )
    assert report_count() == 0


def test_the_secretary_files_on_a_cadres_behalf_and_sees_it(client, village, cadre, cadre_user):
    secretary = create_user(role=Role.SECRETARY, village=village)
    item = first_item(cadre)
    login(client, secretary)
    page = client.get(f"/branch/reports/{item.id}/1").get_data(as_text=True)
    assert "您正代「张三」填写" in page
    response = client.post(f"/branch/reports/{item.id}/1", data=GOOD)
    assert response.location.endswith(f"/branch/reports?year={YEAR}")
    report = db.session.scalars(select(QuarterlyReport)).one()
    assert report.filed_by_id == secretary.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.create")).one()
    assert "代报" in event.summary
    overview = client.get("/branch/reports").get_data(as_text=True)
    assert "60%" in overview and "代报" in overview


def test_the_overview_highlights_overdue_reports(client, village, cadre):
    create_cadre(village=village, name="李四", state=PledgeState.DRAFT)
    secretary = create_user(role=Role.SECRETARY, village=village)
    login(client, secretary)
    page = client.get("/branch/reports").get_data(as_text=True)
    assert 'data-overdue="4"' in page  # Q1 and Q2 of 张三's two items
    assert "李四" in page and "公开后开始季度汇报" in page


def test_the_overview_query_count_does_not_grow_with_cadres(client, village):
    secretary = create_user(role=Role.SECRETARY, village=village)
    login(client, secretary)
    create_cadre(village=village, name="甲")
    with counting_queries() as few:
        client.get("/branch/reports")
    for name in ("乙", "丙", "丁"):
        create_cadre(village=village, name=name)
    with counting_queries() as many:
        client.get("/branch/reports")
    assert len(many) == len(few)


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.TELLER, Role.CADRE])
def test_only_the_secretary_sees_the_overview(client, village, role):
    login(client, create_user(role=role, village=village))
    assert client.get("/branch/reports").status_code == 403
