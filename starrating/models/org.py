"""The organisation: townships, their villages (one Party branch each) and the users."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.vocabulary import Role


class Township(db.Model):
    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.name"
    )


class Village(db.Model):
    """A village and its Party branch; `code` is the short latin name in public URLs."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # the branch's public telephone, set by the secretary; printed in the board's 落款
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # when the secretary saved the 村务监督委员会 as complete: from then on it signs off
    supervisors_established_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship(back_populates="villages")


class SupervisorSeat(db.Model):
    """A seat on the village's 村务监督委员会: a `supervisor` account, one of them the chair."""

    __tablename__ = "supervisor_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class User(db.Model):
    """A person with an account: one role, scoped to one township or one village."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()

    # Not a column: the key of the login session this request runs in (see LoginSession), set
    # when a session is opened or loaded. flask-login keeps it in both cookies.
    session_key: str = ""

    # flask-login's user interface, without UserMixin: its __eq__ compares get_id(), which
    # would make two users outside a session equal.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_key


class LoginSession(db.Model):
    """One login of a user, revocable on the server.

    The session cookie and the remember-me cookie carry its key "<id>:<secret>"; only the
    secret's SHA-256 is stored, so a copy of the database lets nobody in. Logging out revokes
    it; a password change, a reset or deactivation ends all of the user's sessions.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_secret(secret: str) -> str:
        # The secret is 256 random bits: a fast hash suffices (nothing to brute-force).
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def split_key(key: str) -> tuple[int, str] | None:
        session_id, _, secret = key.partition(":")
        if not session_id.isdigit() or not secret:
            return None
        return int(session_id), secret

    def key(self, secret: str) -> str:
        return f"{self.id}:{secret}"

    def admits(self, secret: str, *, now: datetime) -> bool:
        """The secret is this session's, and the session is neither revoked nor expired."""
        return (
            hmac.compare_digest(self.secret_hash, self.hash_secret(secret))
            and self.revoked_at is None
            and now < self.expires_at
        )
