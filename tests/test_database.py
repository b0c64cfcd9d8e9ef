"""The engine settings of DESIGN.md §11 hold in the app as in production."""

import pytest
from sqlalchemy import event, text

from starrating.extensions import db
from starrating.rules.vocabulary import Role
from tests.factories import create_user, login


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(app):
    connection = db.session.connection()
    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.sqlite_only
def test_a_writing_request_begins_immediate_and_a_reading_one_plain(app):
    from starrating.database import _begin_statement

    with app.test_request_context("/branch/members/new", method="POST"):
        assert _begin_statement() == "BEGIN IMMEDIATE"
    with app.test_request_context("/branch/members", method="GET"):
        assert _begin_statement() == "BEGIN"


@pytest.mark.sqlite_only
def test_requests_open_transactions_in_the_mode_their_method_needs(databases):
    """On a real (non-rolled-back) app, watch the BEGIN each request sends."""
    from starrating import create_app
    from tests.conftest import base_config, close_app

    app = create_app(base_config(databases.new()))
    statements: list[str] = []
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda conn, cursor, stmt, *args: statements.append(stmt),
        )
        user = create_user(role=Role.SECRETARY)
        db.session.commit()
        username = user.username
    client = app.test_client()
    statements.clear()
    client.post("/login", data={"username": username, "password": "correct-horse-9"})
    writes = [s for s in statements if s.startswith("BEGIN")]
    statements.clear()
    assert client.get("/branch/members").status_code == 200
    reads = [s for s in statements if s.startswith("BEGIN")]
    assert writes and set(writes) == {"BEGIN IMMEDIATE"}
    assert reads and set(reads) == {"BEGIN"}
    close_app(app)


def test_a_failed_request_is_rolled_back(app, client):
    """The 500 handler rolls back: nothing half-done is committed."""
    secretary = create_user(role=Role.SECRETARY)

    @app.route("/boom", methods=["POST"])
    def boom():
        from starrating.services.audit import record_event

        record_event(
            actor=secretary,
            action="x",
            summary="half-done",
            object_type="x",
            object_id=None,
            township_id=secretary.township_id,
        )
        db.session.flush()
        raise RuntimeError("boom")

    login(client, secretary)
    response = client.post("/boom")
    assert response.status_code == 500
    assert "系统出错了" in response.get_data(as_text=True)
    from starrating.models import AuditEvent

    assert db.session.query(AuditEvent).filter_by(summary="half-done").count() == 0
