"""The township reviewer creates villages and accounts, resets passwords, reads the audit trail."""

import re

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AuditEvent, User, Village
from starrating.rules.vocabulary import Role
from tests.factories import create_member, create_user, create_village, login


def _reviewer(client):
    reviewer = create_user(role=Role.TOWNSHIP)
    login(client, reviewer)
    return reviewer


def test_reviewer_creates_a_village(client):
    reviewer = _reviewer(client)
    response = client.post("/township/", data={"name": "翁家埠村", "code": "wengjiabu"})
    village = db.session.scalar(select(Village).where(Village.code == "wengjiabu"))
    assert village.township_id == reviewer.township_id
    assert response.location == f"/township/villages/{village.id}"
    assert "翁家埠村" in client.get("/township/").get_data(as_text=True)


def test_a_village_code_must_be_latin_and_unique(client):
    _reviewer(client)
    client.post("/township/", data={"name": "甲村", "code": "jiacun"})
    page = client.post("/township/", data={"name": "乙村", "code": "jiacun"}).get_data(as_text=True)
    assert "村代码「jiacun」已被使用" in page
    page = client.post("/township/", data={"name": "丙村", "code": "丙村"}).get_data(as_text=True)
    assert "只能用小写字母" in page
    assert db.session.scalar(select(Village).where(Village.name == "乙村")) is None


def test_reviewer_creates_a_secretary_whose_password_is_shown_once(client, app):
    reviewer = _reviewer(client)
    village = create_village(township=reviewer.township)
    response = client.post(
        f"/township/villages/{village.id}/users",
        data={"display_name": "王书记", "username": "wang-shuji", "role": "secretary"},
    )
    page = response.get_data(as_text=True)
    password = re.search(r'<code class="big" id="password">(\w+)</code>', page).group(1)
    assert len(password) == 12
    assert "只显示这一次" in page
    assert password not in client.get(f"/township/villages/{village.id}").get_data(as_text=True)
    client.post("/logout")
    other = app.test_client()
    assert (
        other.post("/login", data={"username": "wang-shuji", "password": password}).location == "/"
    )
    assert other.get("/branch/").location == "/password"  # must set their own first


def test_a_taken_username_is_refused(client):
    reviewer = _reviewer(client)
    village = create_village(township=reviewer.township)
    taken = create_user(role=Role.CADRE, village=village)
    page = client.post(
        f"/township/villages/{village.id}/users",
        data={"display_name": "重名", "username": taken.username, "role": "cadre"},
    ).get_data(as_text=True)
    assert f"用户名「{taken.username}」已被使用" in page


def test_reviewer_resets_a_password(client, app):
    reviewer = _reviewer(client)
    cadre = create_user(role=Role.CADRE, village=create_village(township=reviewer.township))
    page = client.post(f"/township/users/{cadre.id}/reset-password").get_data(as_text=True)
    password = re.search(r'id="password">(\w+)<', page).group(1)
    other = app.test_client()
    assert (
        other.post("/login", data={"username": cadre.username, "password": password}).status_code
        == 302
    )
    assert db.session.get(User, cadre.id).must_change_password


def test_reviewer_reads_a_villages_roster_but_cannot_edit_it(client):
    reviewer = _reviewer(client)
    village = create_village(township=reviewer.township)
    create_member(village=village, name="阿依古丽·买买提")
    assert "阿依古丽·买买提" in client.get(f"/township/villages/{village.id}").get_data(
        as_text=True
    )
    assert client.get("/branch/members").status_code == 403


def test_township_audit_trail_shows_who_did_what(client):
    reviewer = _reviewer(client)
    client.post("/township/", data={"name": "审计村", "code": "shenjicun"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "village.create"))
    assert event.actor_id == reviewer.id and event.township_id == reviewer.township_id
    assert event.after == {"name": "审计村", "code": "shenjicun"}
    page = client.get("/township/audit").get_data(as_text=True)
    assert "创建村「审计村」" in page and reviewer.username in page


def test_township_audit_trail_holds_only_its_own_township(client):
    _reviewer(client)
    elsewhere = create_user(role=Role.TOWNSHIP)
    from starrating.services.org import create_village as make_village

    make_village(township=elsewhere.township, name="外乡村", code="waixiang", actor=elsewhere)
    assert "外乡村" not in client.get("/township/audit").get_data(as_text=True)
