"""The Flask extensions, created unbound and initialised by create_app."""

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from flask import Flask

    from starrating.models import User

MIGRATIONS = Path(__file__).parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Text responses go out gzip- or brotli-compressed: a village phone on a slow mobile link
# loads the 65-subject ballot as ~2.5 KB (gzip) instead of ~56 KB (issue 13), even without
# a proxy in front.
compress = Compress()


def init_app(app: "Flask") -> None:
    from starrating import models  # noqa: F401  (registers every table)
    from starrating.database import configure_sqlite, engine_options, prepare_sqlite_file

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri))
    if uri.startswith("sqlite"):
        prepare_sqlite_file(uri, app.instance_path)
    db.init_app(app)
    _close_sessions_quietly(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml"],
    )
    # not streamed responses: static files are small, and Flask-Compress's streaming path
    # leaves the file it reads unclosed (a ResourceWarning per request)
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)


def _close_sessions_quietly(app: "Flask") -> None:
    """Flask-SQLAlchemy closes the request's session in a teardown, after the response is
    chosen; when the connection died meanwhile (PostgreSQL restarted), closing it can raise,
    outside every error handler. Here a failure to close is logged and the session dropped,
    and the response the request already has (its commit done, or its error page) is sent."""
    app.teardown_appcontext_funcs.remove(db._teardown_session)

    @app.teardown_appcontext
    def _close_session(error: BaseException | None) -> None:
        try:
            db.session.remove()
        except Exception:
            app.logger.exception("closing the request's database session failed")
            # its connections are closed now (not left to the garbage collector), and the
            # broken session is not reused
            with contextlib.suppress(Exception):
                db.session().invalidate()  # (scoped_session has no proxy for it)
            db.session.registry.clear()


def _load_user(key: str) -> "User | None":
    """The user of the login session whose key a cookie carries, if that session is still
    open: one query (the session joined with its user) on every request."""
    from sqlalchemy import select

    from starrating.models import LoginSession, User
    from starrating.models.types import utcnow

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
