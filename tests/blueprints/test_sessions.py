"""Login sessions live on the server: logging out, a password change or a reset ends them for
good, even for a copied cookie; nothing of the browser's session before login survives it."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from starrating.extensions import db
from starrating.models import LoginSession, User
from starrating.models.types import utcnow
from starrating.rules.vocabulary import Role
from tests.factories import PASSWORD, counting_queries, create_user, login

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def _log_in(client, user: User, *, remember: bool = False):
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302


def _copy(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _in_a_fresh_browser(app, name: str, value: str) -> int:
    """The status of the branch home page for a browser holding only this copied cookie."""
    browser = app.test_client()
    browser.set_cookie(name, value)
    return browser.get("/branch/").status_code


def test_a_copied_session_cookie_is_refused_after_logout(app, client):
    _log_in(client, create_user(role=Role.SECRETARY))
    copied = _copy(client, SESSION_COOKIE)
    assert _in_a_fresh_browser(app, SESSION_COOKIE, copied) == 200  # a copy works until then
    client.post("/logout")
    assert _in_a_fresh_browser(app, SESSION_COOKIE, copied) == 302
    assert client.get("/branch/").status_code == 302


def test_a_copied_remember_cookie_is_refused_after_logout(app, client):
    _log_in(client, create_user(role=Role.SECRETARY), remember=True)
    copied = _copy(client, REMEMBER_COOKIE)
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, copied) == 200  # "stay logged in" works
    client.post("/logout")
    assert client.get_cookie(REMEMBER_COOKIE) is None  # the browser forgets it
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, copied) == 302


def test_logging_out_ends_only_that_browsers_session(app):
    secretary = create_user(role=Role.SECRETARY)
    office, phone = app.test_client(), app.test_client()
    _log_in(office, secretary)
    _log_in(phone, secretary)
    office.post("/logout")
    assert office.get("/branch/").status_code == 302
    assert phone.get("/branch/").status_code == 200


def test_a_password_change_in_one_browser_ends_the_other_browsers_session(app):
    secretary = create_user(role=Role.SECRETARY)
    office, phone = app.test_client(), app.test_client()
    _log_in(office, secretary, remember=True)
    _log_in(phone, secretary, remember=True)
    phone_remember = _copy(phone, REMEMBER_COOKIE)
    new = "tea-kettle-moon-42"
    response = office.post("/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert office.get("/branch/").status_code == 200  # the browser that changed it goes on
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, _copy(office, REMEMBER_COOKIE)) == 200
    assert phone.get("/branch/").status_code == 302
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, phone_remember) == 302


def test_a_reset_by_the_township_ends_every_session_of_the_user(app, client):
    secretary = create_user(role=Role.SECRETARY)
    reviewer = create_user(role=Role.TOWNSHIP, township=secretary.village.township)
    _log_in(client, secretary, remember=True)
    copied = _copy(client, REMEMBER_COOKIE)
    township = app.test_client()
    _log_in(township, reviewer)
    assert township.post(f"/township/users/{secretary.id}/reset-password").status_code == 200
    assert client.get("/branch/").status_code == 302
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, copied) == 302
    assert township.get("/township/").status_code == 200  # the reviewer's own session stays


def test_a_deactivated_users_sessions_end_at_once(app, client):
    secretary = create_user(role=Role.SECRETARY)
    _log_in(client, secretary, remember=True)
    copied = _copy(client, REMEMBER_COOKIE)
    db.session.execute(update(User).where(User.id == secretary.id).values(active=False))
    db.session.commit()
    assert client.get("/branch/").status_code == 302
    assert _in_a_fresh_browser(app, REMEMBER_COOKIE, copied) == 302


@pytest.mark.parametrize(("remember", "lifetime"), [(False, "12 h"), (True, "30 days")])
def test_a_session_lasts_12_hours_or_with_remember_30_days_then_ends(client, remember, lifetime):
    _log_in(client, create_user(role=Role.SECRETARY), remember=remember)
    login_session = db.session.scalar(select(LoginSession))
    expected = timedelta(days=30) if remember else timedelta(hours=12)
    assert login_session.expires_at - login_session.created_at == expected, lifetime
    assert login_session.remember is remember
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/branch/").status_code == 302


def test_the_database_holds_only_a_hash_of_the_session_secret(client):
    secretary = create_user(role=Role.SECRETARY)
    _log_in(client, secretary, remember=True)
    with client.session_transaction() as session:
        key = session["_user_id"]
    session_id, _, secret = key.partition(":")
    login_session = db.session.get(LoginSession, int(session_id))
    assert login_session.user_id == secretary.id
    assert len(secret) >= 40  # 256 random bits
    assert login_session.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in login_session.secret_hash


def test_ended_and_expired_sessions_are_deleted_at_the_next_login(app):
    first, second = create_user(role=Role.SECRETARY), create_user(role=Role.COMMITTEE)
    for _ in range(3):
        browser = app.test_client()
        _log_in(browser, first)
        browser.post("/logout")
    _log_in(app.test_client(), first)  # still open
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    live = app.test_client()
    _log_in(live, first)
    _log_in(app.test_client(), second)
    rows = db.session.execute(select(LoginSession.user_id, LoginSession.revoked_at)).all()
    assert sorted(rows) == sorted([(first.id, None), (second.id, None)])
    assert live.get("/branch/").status_code == 200


def test_a_page_pays_one_query_for_its_user_and_session(client):
    _log_in(client, create_user(role=Role.SECRETARY))
    client.get("/password")
    with counting_queries() as statements:
        assert client.get("/password").status_code == 200
    touching = [s for s in statements if "login_session" in s]
    assert len(touching) == 1 and "user_account" in touching[0]
    assert db.session.scalar(select(func.count(LoginSession.id))) == 1  # a read writes nothing


def test_nothing_planted_in_the_browsers_session_before_login_survives_it(client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["csrf_token"] = "a token someone else knows"  # noqa: S105
    login(client, create_user(role=Role.SECRETARY))
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "a token someone else knows"  # noqa: S105


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_csrf_token_changes_at_login_and_the_old_one_is_refused(client):
    secretary = create_user(role=Role.SECRETARY)
    before = _token(client, "/login")
    data = {"username": secretary.username, "password": PASSWORD, "csrf_token": before}
    assert client.post("/login", data=data).status_code == 302
    after = _token(client, "/password")
    assert after != before
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400 and "安全校验未通过" in refused.get_data(as_text=True)
    assert client.get("/branch/").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
    assert client.get("/branch/").status_code == 302
