"""The schema the models describe is the schema the migrations build."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from starrating.extensions import db


def test_models_and_migrations_agree(app):
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_reach_the_newest_revision(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    from starrating.extensions import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    assert current == head
