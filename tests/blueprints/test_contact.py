"""The secretary sets the branch's telephone that the board's 落款 carries."""

import pytest
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AuditEvent
from starrating.rules.vocabulary import Role
from tests.factories import create_user, login


@pytest.fixture
def secretary(client):
    user = create_user(role=Role.SECRETARY)
    login(client, user)
    return user


def test_the_secretary_sets_the_phone_and_the_board_shows_it(client, secretary):
    response = client.post("/branch/contact", data={"phone": " ０５７１-88001234 "})
    assert response.location == "/branch/contact"
    assert secretary.village.contact_phone == "0571-88001234"  # as typed, full-width digits plain
    page = client.get("/branch/contact").get_data(as_text=True)
    assert "已保存" in page and "0571-88001234" in page
    board = client.get(f"/{secretary.village.code}/board").get_data(as_text=True)
    assert 'href="tel:0571-88001234"' in board
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "village.contact"))
    assert event.before == {"contact_phone": None}
    assert event.after == {"contact_phone": "0571-88001234"}


def test_a_phone_that_is_no_number_is_refused_and_a_blank_one_clears_it(client, secretary):
    client.post("/branch/contact", data={"phone": "13812345678"})
    response = client.post("/branch/contact", data={"phone": "请打村委会"}, follow_redirects=True)
    assert "电话号码「请打村委会」不对" in response.get_data(as_text=True)
    assert secretary.village.contact_phone == "13812345678"
    client.post("/branch/contact", data={"phone": ""})
    assert secretary.village.contact_phone is None
    board = client.get(f"/{secretary.village.code}/board").get_data(as_text=True)
    assert "tel:" not in board  # printed with a blank line to write in by hand


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.TELLER, Role.CADRE])
def test_only_the_secretary_sets_the_branch_phone(client, role):
    login(client, create_user(role=role))
    assert client.get("/branch/contact").status_code == 403
    assert client.post("/branch/contact", data={"phone": "13812345678"}).status_code == 403
