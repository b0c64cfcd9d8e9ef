"""Login sessions kept on the server: opened at login, ended at logout or for all of a user;
the user a cookie's session key belongs to."""

import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from starrating.extensions import db
from starrating.models import LoginSession, User
from starrating.models.types import utcnow


def open_session(*, user: User, remember: bool, lifetime: timedelta) -> str:
    """Start a session of user for lifetime; returns its key, which only the cookies will hold.

    Expired and ended sessions of everyone are deleted here: logins are frequent enough to
    keep the table small without a scheduled job.
    """
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(
            or_(LoginSession.expires_at <= now, LoginSession.revoked_at.is_not(None))
        )
    )
    secret = secrets.token_urlsafe(32)
    login_session = LoginSession(
        user_id=user.id,
        secret_hash=LoginSession.hash_secret(secret),
        remember=remember,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(login_session)
    db.session.flush()
    return login_session.key(secret)


def end_session(*, key: str) -> None:
    """End the session whose key this is (logging out)."""
    if (parts := LoginSession.split_key(key)) is not None:
        session_id, _ = parts
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(*, user: User) -> None:
    """End every session of user, on every device (password changed or reset, deactivated)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def remembered(*, key: str) -> bool:
    """Whether the session of key was opened with "stay logged in"."""
    parts = LoginSession.split_key(key)
    found = db.session.get(LoginSession, parts[0]) if parts else None
    return bool(found and found.remember)


def session_user(key: str) -> User | None:
    """The user of the login session whose key a cookie carries, if that session is still
    open: one query (the session joined with its user) on every request."""
    if (parts := LoginSession.split_key(key)) is None:
        return None
    session_id, secret = parts
    row = db.session.execute(
        select(LoginSession, User)
        .join(User, LoginSession.user_id == User.id)
        .where(LoginSession.id == session_id)
    ).first()
    if row is None:
        return None
    login_session, user = row
    if not login_session.admits(secret, now=utcnow()) or not user.active:
        return None
    user.session_key = key
    return user
