"""The audit trail keeps every write, even one whose text is longer than its summary column."""

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AuditEvent
from starrating.rules.vocabulary import Role
from starrating.services.audit import SUMMARY_LENGTH, record_event
from tests.factories import create_user


def test_a_long_summary_is_cut_to_its_column_and_the_full_text_kept_in_after(app):
    secretary = create_user(role=Role.SECRETARY)
    reason = "支委会意见：" + "经认真讨论，" * 80
    record_event(
        actor=secretary,
        action="year.confirm_excellence",
        summary=reason,
        object_type="assessment_year",
        object_id=None,
        township_id=secretary.township_id,
        after={"reason": reason},
    )
    db.session.commit()  # PostgreSQL refuses a value longer than the column; SQLite would not
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.actor_id == secretary.id))
    assert len(event.summary) == SUMMARY_LENGTH and event.summary.endswith("…")
    assert event.after == {"reason": reason}


def test_before_and_after_keep_only_what_changed(app):
    secretary = create_user(role=Role.SECRETARY)
    event = record_event(
        actor=secretary,
        action="member.update",
        summary="修改",
        object_type="member",
        object_id=1,
        township_id=secretary.township_id,
        before={"name": "甲", "phone": "1"},
        after={"name": "乙", "phone": "1"},
    )
    assert event.before == {"name": "甲"} and event.after == {"name": "乙"}
