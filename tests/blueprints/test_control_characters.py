"""A NUL byte or another control character anywhere in a request — a form field, the address, a
query — is refused in Chinese before any view reads it, with nothing stored. On PostgreSQL a
NUL in a text parameter used to be a 500 (the login username, the public objection form)."""

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import Objection
from starrating.rules.text import CONTROL_MESSAGE
from starrating.rules.vocabulary import Role
from tests.blueprints.test_board import file, published  # noqa: F401  (a fixture)
from tests.factories import PASSWORD, create_user, create_village, login


def refused(response) -> bool:
    return response.status_code == 400 and CONTROL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["adm\x00in", "\x00", "shuji\x1b"])
def test_a_control_character_in_the_login_username_is_refused_not_a_500(client, username):
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert refused(response)


def test_a_nul_in_a_public_objection_is_refused_and_nothing_is_filed(client, published):  # noqa: F811
    village, *_ = published
    before = db.session.scalar(select(func.count()).select_from(Objection))
    for field in ("content", "name", "phone"):
        assert refused(file(client, village, **{field: "有意见\x00"})), field
    assert db.session.scalar(select(func.count()).select_from(Objection)) == before
    assert file(client, village).status_code == 303  # the same form, clean, is filed
    assert db.session.scalar(select(func.count()).select_from(Objection)) == before + 1


def test_a_nul_in_an_address_or_a_query_is_refused(client):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    login(client, secretary)
    assert refused(client.get("/branch/members/%00"))
    assert refused(client.get("/branch/members", query_string={"q": "张\x00"}))
    assert refused(client.get(f"/v/{village.code}/t/AB%00CD"))  # a villager's page too


def test_tabs_and_line_breaks_in_a_note_are_ordinary_text(client, published):  # noqa: F811
    village, *_ = published
    response = file(client, village, content="第一条\r\n第二条\t说明")
    assert response.status_code == 303


@pytest.mark.parametrize("year", ["99999", "2147483647", "1899", "99999999999999999999999"])
def test_a_year_no_one_can_mean_in_an_address_is_a_chinese_404(client, year):
    village = create_village()
    login(client, create_user(role=Role.SECRETARY, village=village))
    response = client.get(f"/branch/years/{year}")
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True) or "没有" in response.get_data(as_text=True)
