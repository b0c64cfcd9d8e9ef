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

    from starrating import extensions

    extensions.init_app(app)

    from starrating.blueprints import register_blueprints

    register_blueprints(app)

    from starrating import errors, web

    web.register(app)
    errors.register(app)  # last: its WSGI wrapper answers whatever escapes the rest

    from starrating import cli

    cli.register(app)
    return app
