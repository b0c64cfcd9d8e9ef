"""Two people with the same pledge item or quarterly report open: the first save is kept, the
second is refused with a message, shown what is stored now and what they typed, and may save
again knowingly. Nothing is overwritten silently, nothing typed is lost."""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from starrating.blueprints.branch import reports as report_views
from starrating.extensions import db
from starrating.models import AuditEvent, PledgeItem, QuarterlyReport
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from starrating.services import StaleEdit
from starrating.services.reports import file_report
from tests.blueprints.test_reports import GOOD, TODAY, create_cadre, first_item
from tests.factories import create_user, create_village, login

STALE = "这条记录在您打开表单后已被修改"
ITEM = {"indicator": "道路长度", "target": "2 公里", "deadline": "2026-10-31", "weight": "50"}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(report_views, "china_today", lambda: TODAY)


@pytest.fixture
def village():
    return create_village()


def _opened(client, url: str) -> str:
    """Open the form like a user would and return the version it carries."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="(\d*)"', page).group(1)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _two_secretaries(app, village):
    first, second = app.test_client(), app.test_client()
    login(first, create_user(role=Role.SECRETARY, village=village))
    login(second, create_user(role=Role.SECRETARY, village=village))
    return first, second


@pytest.mark.parametrize(
    ("state", "action", "extra"),
    [
        (PledgeState.DRAFT, "pledge.item_update", {}),
        (PledgeState.PUBLIC, "pledge.amend", {"reason": "镇里调整了计划"}),
    ],
)
def test_the_second_of_two_pledge_item_edits_is_refused_and_keeps_what_was_typed(
    app, village, state, action, extra
):
    first, second = _two_secretaries(app, village)
    cadre = create_cadre(village=village, state=state, items=("修村道", "建广场"))
    item = first_item(cadre)
    url = f"/branch/cadres/{cadre.id}/pledges/2026/items/{item.id}/edit"
    shown_first, shown_second = _opened(first, url), _opened(second, url)
    assert shown_first == shown_second == "1"

    saved = first.post(url, data={**ITEM, **extra, "content": "修村道三公里", "version": "1"})
    assert saved.status_code == 302
    typed = {**ITEM, **extra, "content": "修村道到邻村", "target": "5 公里", "version": "1"}
    refused = second.post(url, data=typed)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and STALE in page
    stored_now = page[page.index('id="stored-now"') :]
    assert "修村道三公里" in stored_now.split("<form")[0]  # what the first secretary saved
    assert 'value="修村道到邻村"' in page and 'value="5 公里"' in page  # what the second typed
    if extra:
        assert 'value="镇里调整了计划"' in page
    db.session.refresh(item)
    assert (item.content, item.target) == ("修村道三公里", "2 公里")
    assert [event.after["content"] for event in _events(action)] == ["修村道三公里"]

    # having seen the stored item, the second secretary may save their version on purpose
    assert 'name="version" type="hidden" value="2"' in page
    assert second.post(url, data={**typed, "version": "2"}).status_code == 302
    db.session.refresh(item)
    assert (item.content, item.version) == ("修村道到邻村", 3)


def test_a_pledge_item_form_without_a_version_saves_nothing(app, village):
    first, _ = _two_secretaries(app, village)
    cadre = create_cadre(village=village, state=PledgeState.DRAFT, items=("修村道", "建广场"))
    item = first_item(cadre)
    url = f"/branch/cadres/{cadre.id}/pledges/2026/items/{item.id}/edit"
    response = first.post(url, data={**ITEM, "content": "改了"})
    assert response.status_code == 409 and STALE in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.content == "修村道" and _events("pledge.item_update") == []


@pytest.fixture
def cadre_and_secretary(app, village):
    """The cadre on their phone and the secretary filing on their behalf, both logged in."""
    cadre_user = create_user(role=Role.CADRE, village=village)
    cadre = create_cadre(village=village, user=cadre_user)
    on_phone, at_office = app.test_client(), app.test_client()
    login(on_phone, cadre_user)
    login(at_office, create_user(role=Role.SECRETARY, village=village))
    return cadre, on_phone, at_office


def test_a_cadre_and_the_secretary_refiling_the_same_report_do_not_overwrite_each_other(
    cadre_and_secretary,
):
    cadre, on_phone, at_office = cadre_and_secretary
    item = first_item(cadre)
    url = f"/branch/reports/{item.id}/2"
    assert on_phone.post(url, data={**GOOD, "version": ""}).status_code == 302
    assert _opened(on_phone, url) == _opened(at_office, url) == "1"

    by_secretary = GOOD | {"progress": "70", "done": "路基全部完成", "version": "1"}
    assert at_office.post(url, data=by_secretary).status_code == 302
    by_cadre = GOOD | {"progress": "65", "done": "铺了一半路面", "version": "1"}
    refused = on_phone.post(url, data=by_cadre)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and STALE in page
    stored_now = page[page.index('id="stored-now"') : page.index('id="report-form"')]
    assert "70%" in stored_now and "路基全部完成" in stored_now  # the secretary's report
    assert 'value="65"' in page and "铺了一半路面" in page.split('id="report-form"')[1]
    report = db.session.scalars(select(QuarterlyReport)).one()
    assert (report.progress, report.done) == (Decimal(70), "路基全部完成")
    assert [event.after["progress"] for event in _events("report.update")] == ["70.0"]

    assert 'name="version" type="hidden" value="2"' in page
    assert on_phone.post(url, data={**by_cadre, "version": "2"}).status_code == 302
    db.session.refresh(report)
    assert report.progress == Decimal(65)


def test_two_first_reports_for_the_same_quarter_keep_the_first(cadre_and_secretary):
    cadre, on_phone, at_office = cadre_and_secretary
    item = first_item(cadre)
    url = f"/branch/reports/{item.id}/1"
    assert _opened(on_phone, url) == _opened(at_office, url) == ""

    assert at_office.post(url, data=GOOD | {"progress": "30", "version": ""}).status_code == 302
    refused = on_phone.post(url, data=GOOD | {"progress": "35", "done": "我报的", "version": ""})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and STALE in page and "我报的" in page
    report = db.session.scalars(select(QuarterlyReport)).one()
    assert report.progress == Decimal(30) and report.done == GOOD["done"]
    assert len(_events("report.create")) == 1 and _events("report.update") == []


def test_a_report_changed_after_it_was_read_is_not_overwritten(app, village):
    """On PostgreSQL another request may commit between our read and our write: the version
    in the UPDATE's WHERE catches it."""
    cadre = create_cadre(village=village)
    secretary = create_user(role=Role.SECRETARY, village=village)
    item = db.session.get(PledgeItem, first_item(cadre).id)
    facts = {
        "item": item,
        "quarter": 1,
        "done": "做了",
        "next_step": "再做",
        "today": date(2026, 8, 1),
    }
    report = file_report(actor=secretary, progress=Decimal(10), **facts)
    db.session.commit()
    assert report.version == 1  # what this request read; then another one saves
    db.session.execute(
        update(QuarterlyReport).values(version=2).execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleEdit):
        file_report(actor=secretary, progress=Decimal(20), expected_version=1, **facts)
