"""starrating (星级评定): the web service a village Party branch runs its yearly assessments on."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> "Flask":
    """Build the app: config, extensions, blueprints, error pages, web hygiene, commands."""
    # Imported here so that starrating.rules stays importable without Flask.
    from flask import Flask

    from starrating import config

    app = Flask(__name__, instance_path=config.instance_path(), instance_relative_config=True)

    config.load(app, test_config)

    _init_extensions(app)

    from starrating.blueprints import register_blueprints

    register_blueprints(app)

    from starrating import errors, web

    web.register(app)
    errors.register(app)  # last: its WSGI wrapper answers whatever escapes the rest

    from starrating import cli

    cli.register(app)
    return app


def _init_extensions(app: "Flask") -> None:
    """Bind the extensions (extensions.py) to app. The models are imported first, so that
    every table is registered; the user loader reads them (services/sessions.py)."""
    from starrating import models  # noqa: F401  (registers every table)
    from starrating.database import init_database
    from starrating.extensions import compress, csrf, login_manager
    from starrating.services.sessions import session_user

    init_database(app)
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
    login_manager.user_loader(session_user)
