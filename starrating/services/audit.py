"""Recording the audit trail: every write by a user says who, when, what, before and after."""

from datetime import date
from enum import Enum
from typing import Any

from starrating.extensions import db
from starrating.models import AuditEvent, User

SUMMARY_LENGTH = 300  # AuditEvent.summary


def plain(value: Any) -> Any:
    """A value as JSON can keep it: dates as ISO text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


def record_event(
    *,
    actor: User | None,
    action: str,
    summary: str,
    object_type: str,
    object_id: int | None,
    township_id: int | None,
    village_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add one audit event; actor None means the command line (actor_label says who).

    A summary built from user text is cut to fit its column; keep the full text in after."""
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1] + "…"
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor_label
        or (f"{actor.display_name}（{actor.username}）" if actor else "命令行"),
        action=action,
        summary=summary,
        object_type=object_type,
        object_id=object_id,
        township_id=township_id,
        village_id=village_id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
