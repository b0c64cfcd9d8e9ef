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


def test_receipts_move_apart_from_the_ballots_cast_before_the_upgrade(databases):
    """Migration 0010 on a database with ballots cast under the old schema (marks and receipt
    in one row): every ballot and every receipt is kept, in two tables that share nothing but
    the round; a downgrade keeps the ballots."""
    import json

    from flask_migrate import downgrade
    from flask_migrate import upgrade as upgrade_to
    from sqlalchemy import text

    from starrating import create_app
    from tests.conftest import base_config, close_app

    app = create_app(base_config(databases.new(migrate=False)))
    with app.app_context():
        upgrade_to(revision="0009")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO township (id, name, created_at) VALUES (1, '镇', '2026-01-01')")
            )
            connection.execute(text(
                "INSERT INTO village (id, township_id, name, code, created_at)"
                " VALUES (1, 1, '村', 'cun', '2026-01-01')"
            ))  # fmt: skip
            connection.execute(text(
                "INSERT INTO ballot_round (id, village_id, year, title, has_members, has_cadres,"
                " electorate, eligible, state, created_at)"
                " VALUES (1, 1, 2026, 't', true, false, 'villagers', 10, 'closed', '2026-01-01')"
            ))  # fmt: skip
            for n, (receipt, choice) in enumerate(
                [("AAAA2222", "satisfied"), ("BBBB3333", "basic")]
            ):
                connection.execute(
                    text(
                        "INSERT INTO cast_ballot (id, round_id, marks, receipt)"
                        " VALUES (:i, 1, :m, :r)"
                    ),
                    {"i": f"{n:032d}", "m": json.dumps({"7": choice}), "r": receipt},
                )
        upgrade_to()
        with db.engine.connect() as connection:
            marks = connection.execute(text("SELECT round_id, id, marks FROM cast_ballot")).all()
            receipts = connection.execute(
                text("SELECT round_id, receipt FROM ballot_receipt")
            ).all()
        loaded = sorted(
            json.dumps(m if isinstance(m, dict) else json.loads(m)) for _, _, m in marks
        )
        assert loaded == sorted(json.dumps({"7": c}) for c in ("satisfied", "basic"))
        assert sorted(receipts) == [(1, "AAAA2222"), (1, "BBBB3333")]
        assert all(i not in (f"{0:032d}", f"{1:032d}") for _, i, _ in marks), "new ids"
        downgrade(revision="0009")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cast_ballot")).scalar() == 2
        db.engine.dispose()
    close_app(app)


def test_the_supervisor_role_comes_and_goes_with_migration_0018(databases):
    """After 0018 the role's CHECK constraint takes `supervisor` and still refuses a role that
    does not exist; a downgrade keeps the supervisor accounts, disabled, as cadres."""
    import pytest
    from flask_migrate import downgrade
    from flask_migrate import upgrade as upgrade_to
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from starrating import create_app
    from tests.conftest import base_config, close_app

    app = create_app(base_config(databases.new(migrate=False)))
    insert = text(
        "INSERT INTO user_account (id, username, display_name, role, township_id, village_id,"
        " password_hash, must_change_password, active, created_at)"
        " VALUES (:i, :u, '孙志强', :r, 1, 1, 'x', false, true, '2026-01-01')"
    )
    with app.app_context():
        upgrade_to()
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO township (id, name, created_at) VALUES (1, '镇', '2026-01-01')")
            )
            connection.execute(text(
                "INSERT INTO village (id, township_id, name, code, created_at)"
                " VALUES (1, 1, '村', 'cun', '2026-01-01')"
            ))  # fmt: skip
            connection.execute(insert, {"i": 1, "u": "jiandu", "r": "supervisor"})
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(insert, {"i": 2, "u": "nobody", "r": "nobody"})
        downgrade(revision="0017")
        with db.engine.connect() as connection:
            kept = connection.execute(
                text("SELECT role, active FROM user_account WHERE username = 'jiandu'")
            ).one()
        assert (kept.role, bool(kept.active)) == ("cadre", False)
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(insert, {"i": 3, "u": "again", "r": "supervisor"})
        db.engine.dispose()
    close_app(app)
