"""Logging in and out, passwords, rate limits, CSRF, cookies and headers."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from starrating.blueprints.auth import WRONG_CURRENT_PASSWORD
from starrating.extensions import db
from starrating.models import User
from starrating.passwords import _HASHERS
from starrating.ratelimit import LOGIN_PER_USERNAME
from starrating.rules.vocabulary import Role
from tests.factories import PASSWORD, create_user, login


def test_secretary_logs_in_and_lands_on_the_branch_page(client):
    secretary = create_user(role=Role.SECRETARY)
    response = login(client, secretary)
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert secretary.village.name in page
    assert "党员花名册" in page


def test_township_reviewer_lands_on_the_township_page(client):
    reviewer = create_user(role=Role.TOWNSHIP)
    login(client, reviewer)
    assert client.get("/").location == "/township/dashboard"


def test_a_wrong_password_is_refused_in_chinese(client):
    secretary = create_user(role=Role.SECRETARY)
    response = login(client, secretary, password="wrong-password")
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/branch/").status_code == 302


def test_an_unknown_username_gets_the_same_answer(client):
    response = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_log_in(client):
    secretary = create_user(role=Role.SECRETARY)
    secretary.active = False
    assert "用户名或密码不正确" in login(client, secretary).get_data(as_text=True)


def test_logout_ends_the_session(client):
    login(client, create_user(role=Role.SECRETARY))
    client.post("/logout")
    assert client.get("/branch/").status_code == 302


def test_login_follows_only_a_local_next_address(client):
    secretary = create_user(role=Role.SECRETARY)
    data = {"username": secretary.username, "password": PASSWORD}
    assert client.post("/login?next=/branch/members", data=data).location == "/branch/members"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/x", data=data).location == "/"


def test_first_login_must_change_the_initial_password(client):
    secretary = create_user(role=Role.SECRETARY, must_change_password=True)
    login(client, secretary)
    assert client.get("/branch/members").location == "/password"
    response = client.post(
        "/password", data={"current": PASSWORD, "new": "my-own-pass-1", "confirm": "my-own-pass-1"}
    )
    assert response.status_code == 302
    assert client.get("/branch/members").status_code == 200
    client.post("/logout")
    assert login(client, secretary, password="my-own-pass-1").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-current", "my-own-pass-1", "my-own-pass-1", "当前密码不正确"),
        (PASSWORD, "short", "short", "新密码太短：至少 10 位"),
        (PASSWORD, "my-own-pass-1", "my-own-pass-2", "两次输入的新密码不一致"),
        (PASSWORD, PASSWORD, PASSWORD, "新密码不能与当前密码相同"),
    ],
)
def test_a_bad_password_change_is_refused_and_the_old_password_still_works(
    client, current, new, confirm, message
):
    secretary = create_user(role=Role.SECRETARY)
    login(client, secretary)
    response = client.post("/password", data={"current": current, "new": new, "confirm": confirm})
    assert message in response.get_data(as_text=True)
    client.post("/logout")
    assert login(client, secretary).status_code == 302


def test_production_password_hashes_meet_owasp_argon2id_minimum():
    hasher: PasswordHasher = _HASHERS["production"]
    parameters = hasher._parameters
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2


def test_stored_passwords_are_argon2id_hashes(client, app):
    from starrating.services.org import create_user as create_account

    village = create_user(role=Role.SECRETARY).village
    user, password = create_account(
        actor=None, username="new-user", display_name="新人", role=Role.CADRE, village=village
    )
    assert user.password_hash.startswith("$argon2id$")
    assert password not in user.password_hash


def _fail_logins(client, username: str, times: int) -> None:
    for _ in range(times):
        client.post("/login", data={"username": username, "password": "wrong-password"})


def test_login_is_locked_per_username_after_repeated_failures(client):
    secretary = create_user(role=Role.SECRETARY)
    _fail_logins(client, secretary.username, LOGIN_PER_USERNAME.hits)
    response = login(client, secretary)  # even the right password now waits
    assert response.status_code == 429
    assert "登录失败次数太多" in response.get_data(as_text=True)
    other = create_user(role=Role.SECRETARY)
    assert login(client, other).status_code == 302  # another username is not affected


@pytest.mark.app_config(RATELIMIT_REDIS_URL="set-by-test")
def test_login_limits_are_shared_through_redis_when_configured(app, redis_url):
    import redis

    app.config["RATELIMIT_REDIS_URL"] = redis_url
    secretary = create_user(role=Role.SECRETARY)
    store = redis.Redis.from_url(redis_url)
    for key in store.scan_iter("starrating:rl:*"):  # earlier runs share this test database
        store.delete(key)
    # Two workers are two clients of one store: failures through either count together.
    first, second = app.test_client(), app.test_client()
    _fail_logins(first, secretary.username, LOGIN_PER_USERNAME.hits - 1)
    _fail_logins(second, secretary.username, 1)
    assert login(second, secretary).status_code == 429
    assert any(store.scan_iter(f"starrating:rl:login:user:{secretary.username}:*"))
    from starrating.models import RateLimitHit

    assert db.session.scalars(select(RateLimitHit)).all() == []  # nothing in the database


def _wrong_logins_checked(client, username: str, times: int) -> int:
    """How many of `times` wrong passwords were checked (the others were refused, 429)."""
    checked = 0
    for _ in range(times):
        response = client.post("/login", data={"username": username, "password": "wrong-pass"})
        assert response.status_code in (422, 429)
        checked += "用户名或密码不正确" in response.get_data(as_text=True)
    return checked


def test_at_a_window_boundary_at_most_the_limit_of_wrong_passwords_is_checked(client, clock):
    # Fixed 15-minute windows let 10 in just before the boundary and 10 more just after.
    secretary = create_user(role=Role.SECRETARY)
    boundary = clock.moment
    clock.at(boundary - 1)
    before = _wrong_logins_checked(client, secretary.username, LOGIN_PER_USERNAME.hits)
    clock.at(boundary + 1)
    after = _wrong_logins_checked(client, secretary.username, LOGIN_PER_USERNAME.hits)
    assert (before, after) == (LOGIN_PER_USERNAME.hits, 0)


def test_refused_logins_do_not_lengthen_the_wait_and_it_ends_on_time(client, clock):
    secretary = create_user(role=Role.SECRETARY)
    start = clock.moment
    _fail_logins(client, secretary.username, LOGIN_PER_USERNAME.hits)
    for minute in range(1, 15):
        clock.at(start + minute * 60)
        response = login(client, secretary)
        assert response.status_code == 429
        left = 15 - minute
        assert f"请 {left} 分钟后再试" in response.get_data(as_text=True)
    clock.at(start + LOGIN_PER_USERNAME.seconds)
    assert login(client, secretary).status_code == 302


def test_a_right_password_gives_its_try_back(client, clock):
    secretary = create_user(role=Role.SECRETARY)
    _fail_logins(client, secretary.username, LOGIN_PER_USERNAME.hits - 1)
    for _ in range(3):
        assert login(client, secretary).status_code == 302
        client.post("/logout")
    assert _wrong_logins_checked(client, secretary.username, 2) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(app, client):
    secretary = create_user(role=Role.SECRETARY)
    response = client.post("/login", data={"username": secretary.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "安全校验未通过" in response.get_data(as_text=True)
    assert db.session.scalar(select(User.last_login_at).where(User.id == secretary.id)) is None


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_form_page_carries_a_csrf_token(app, client):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    secretary = create_user(role=Role.SECRETARY)
    response = client.post(
        "/login", data={"username": secretary.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_pages_send_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client):
    secretary = create_user(role=Role.SECRETARY)
    response = login(client, secretary)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on a village LAN unless STARRATING_HTTPS=1


def test_https_switch_marks_cookies_secure(monkeypatch, tmp_path):
    from starrating import config

    monkeypatch.setenv("STARRATING_HTTPS", "1")
    assert config.from_environment()["SESSION_COOKIE_SECURE"] is True


def _change_password(client, *, current: str = PASSWORD, new: str) -> str:
    data = {"current": current, "new": new, "confirm": new}
    return client.post("/password", data=data, follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize(
    ("new", "why"),
    [
        ("12345678", "新密码太短：至少 10 位"),
        ("password", "新密码太短"),
        ("aaaaaaaa", "新密码太短"),
        ("1234567890", "新密码太常见"),
        ("password12", "新密码太常见"),
        ("aaaaaaaaaa", "新密码有重复的字符"),
        ("{username}2026", "新密码含有您的用户名"),
        ("{username}-tea-kettle-moon", "新密码含有您的用户名"),
        ("{display_name}12345678", "新密码含有您的姓名"),
        ("{village_code}2026", "新密码含有村名或村代码"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(client, new, why):
    secretary = create_user(role=Role.SECRETARY, username="wang-shuji")
    login(client, secretary)
    new = new.format(
        username=secretary.username,
        display_name=secretary.display_name,
        village_code=secretary.village.code,
    )
    page = _change_password(client, new=new)
    assert why in page
    client.post("/logout")
    assert login(client, secretary, password=new).status_code == 422  # not taken
    assert login(client, secretary).status_code == 302  # the old password still works


def test_a_strong_new_password_is_taken(client):
    secretary = create_user(role=Role.SECRETARY)
    login(client, secretary)
    assert "密码已修改" in _change_password(client, new="tea-kettle-moon-42")
    client.post("/logout")
    assert login(client, secretary, password="tea-kettle-moon-42").status_code == 302


def test_the_password_page_says_what_a_new_password_must_be(client):
    login(client, create_user(role=Role.SECRETARY))
    page = client.get("/password").get_data(as_text=True)
    assert "至少 10 位" in page and "不要用常见密码" in page


def test_five_wrong_current_passwords_end_the_session_and_block_changes(client):
    secretary = create_user(role=Role.SECRETARY)
    login(client, secretary)
    for _ in range(WRONG_CURRENT_PASSWORD.hits - 1):
        page = _change_password(client, current="not-my-password", new="tea-kettle-moon-42")
        assert "当前密码不正确" in page
    assert client.get("/branch/").status_code == 200  # still logged in
    page = _change_password(client, current="guess-number-5", new="tea-kettle-moon-42")
    assert "当前密码输错次数太多，为保护账号已退出登录" in page
    assert "15 分钟后" in page
    assert client.get("/branch/").status_code == 302  # logged out
    # The owner logs in again, but the page refuses even the right password for the window.
    assert login(client, secretary).status_code == 302
    page = _change_password(client, current=PASSWORD, new="tea-kettle-moon-42")
    assert "当前密码输错次数太多" in page
    assert login(client, secretary).status_code == 302  # the password did not change
    other = create_user(role=Role.SECRETARY, village=secretary.village)
    fresh = client.application.test_client()
    login(fresh, other)
    assert "密码已修改" in _change_password(fresh, new="tea-kettle-moon-42")
