"""Logging in and out, changing one's own password, and the home page that routes by role."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from starrating import ratelimit
from starrating.blueprints.changes import form_page, refused, refused_back
from starrating.errors import refuse
from starrating.extensions import db
from starrating.forms import ChangePasswordForm, ConfirmForm, LoginForm
from starrating.models import User
from starrating.models.types import utcnow
from starrating.password_policy import MIN_LENGTH
from starrating.passwords import hash_password, verify_password
from starrating.permissions import guard_blueprint, public
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import WrongPassword
from starrating.services.org import change_password as change_password_service
from starrating.services.sessions import end_session, open_session, remembered

bp = Blueprint("auth", __name__)
guard_blueprint(bp, roles=None)

# Someone at a PC left logged in must not try current passwords until one fits: after this
# many wrong ones the session ends, and the page refuses every try for the window.
WRONG_CURRENT_PASSWORD = ratelimit.Limit(hits=5, seconds=15 * 60)

# Verifying against this when the username is unknown keeps the answer time the same.
_DUMMY_HASH: dict[str, str] = {}

HOME_BY_ROLE = {Role.TOWNSHIP: "township.dashboard"}


@bp.route("/")
def home() -> Any:
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "branch.index")))


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host) is followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _take_login_slot(username: str) -> ratelimit.Attempt:
    """Count this login as a failure before the password is checked (given back if it is
    right), so racing wrong passwords never pass the limit; 429 when it is reached."""
    attempt = ratelimit.acquire(
        (f"login:user:{username}", ratelimit.LOGIN_PER_USERNAME),
        (f"login:addr:{request.remote_addr}", ratelimit.LOGIN_PER_ADDRESS),
    )
    if not attempt.allowed:
        refuse(
            429,
            f"登录失败次数太多，请 {attempt.retry_minutes} 分钟后再试。"
            "如忘记密码，请联系乡镇管理员重置。",
        )
    db.session.commit()  # the other workers count it from now on
    return attempt


def _check_password(user: User | None, password: str) -> bool:
    if user is None:
        if "hash" not in _DUMMY_HASH:
            _DUMMY_HASH["hash"] = hash_password("not-a-password")
        verify_password(_DUMMY_HASH["hash"], password)
        return False
    return verify_password(user.password_hash, password)


def _lifetime(*, remember: bool) -> timedelta:
    key = "REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"
    lifetime: timedelta = current_app.config[key]
    return lifetime


def _begin(user: User, *, key: str, remember: bool) -> None:
    """A new Flask session for a new login session: nothing of the one before carries over
    (a planted session and its CSRF token would otherwise survive the login)."""
    had_remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in (
        request.cookies
    )
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches this request's token here
    user.session_key = key
    login_user(user, remember=remember, duration=_lifetime(remember=remember))
    if had_remember_cookie and not remember:
        session["_remember"] = "clear"  # an old login's cookie: drop it


def _end() -> None:
    """Log this browser out: its login session is ended (the caller commits) and forgotten."""
    end_session(key=current_user.session_key)
    session.clear()
    logout_user()  # also deletes the remember-me cookie


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        attempt = _take_login_slot(username)
        user = db.session.scalar(select(User).where(User.username == username))
        if not _check_password(user, form.password.data) or user is None or not user.active:
            flash("用户名或密码不正确", "error")
            return refused(render_template("auth/login.html", form=form))
        ratelimit.release(attempt)
        remember = bool(form.remember.data)
        user.last_login_at = utcnow()
        key = open_session(user=user, remember=remember, lifetime=_lifetime(remember=remember))
        db.session.commit()
        _begin(user, key=key, remember=remember)
        return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
    return form_page(render_template("auth/login.html", form=form))


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        _end()
        db.session.commit()
        flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


def _password_tries_key() -> str:
    return f"password:user:{current_user.id}"


def _too_many_wrong_passwords() -> Any:
    _end()
    db.session.commit()
    return refused_back(
        f"当前密码输错次数太多，为保护账号已退出登录。请 {WRONG_CURRENT_PASSWORD.seconds // 60} "
        "分钟后用正确的密码重新登录再修改；如忘记密码，请联系乡镇管理员重置。",
        url_for("auth.login"),
    )


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        # counted as wrong before the check (given back unless it was), so racing tries never
        # pass the limit
        attempt = ratelimit.acquire((_password_tries_key(), WRONG_CURRENT_PASSWORD))
        if not attempt.allowed:
            return _too_many_wrong_passwords()
        db.session.commit()
        remember = remembered(key=current_user.session_key)
        try:
            change_password_service(user=current_user, current=form.current.data, new=form.new.data)
        except ServiceError as error:
            db.session.rollback()
            if not isinstance(error, WrongPassword):
                ratelimit.release(attempt)
                db.session.commit()
            elif ratelimit.is_blocked(_password_tries_key(), WRONG_CURRENT_PASSWORD):
                return _too_many_wrong_passwords()
            flash(error.message, "error")
        else:
            # Every session of the user has ended; this browser goes on in a new one.
            ratelimit.release(attempt)
            user = current_user._get_current_object()
            key = open_session(user=user, remember=remember, lifetime=_lifetime(remember=remember))
            db.session.commit()
            _begin(user, key=key, remember=remember)
            flash("密码已修改，其他设备上的登录都已退出", "success")
            return redirect(url_for("auth.home"))
    return form_page(render_template("auth/password.html", form=form, min_length=MIN_LENGTH))
