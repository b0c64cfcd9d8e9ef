"""Logging in and out, changing one's own password, and the home page that routes by role."""

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from starrating import ratelimit
from starrating.errors import refuse
from starrating.extensions import db
from starrating.forms import ChangePasswordForm, ConfirmForm, LoginForm
from starrating.models import User
from starrating.models.types import utcnow
from starrating.passwords import hash_password, verify_password
from starrating.permissions import guard_blueprint, public
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import change_password as change_password_service

bp = Blueprint("auth", __name__)
guard_blueprint(bp, roles=None)

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
            return render_template("auth/login.html", form=form), 200
        ratelimit.release(attempt)
        user.last_login_at = utcnow()
        db.session.commit()
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password_service(user=current_user, current=form.current.data, new=form.new.data)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("auth/password.html", form=form)
        db.session.commit()
        login_user(current_user._get_current_object())  # the session names the new password era
        flash("密码已修改", "success")
        return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)
