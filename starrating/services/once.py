"""One-time tokens of the forms that create a record (issue 14): a double tap, a resent form or
the back button and 提交 again never makes a second cadre, pledge item, round or objection.

The create form carries a random token (forms.OnceField). The request that creates the record
claims the token in its own transaction, and records where the new record is shown; the claim
and the record commit together, or neither does (a refused form leaves the token free for the
corrected one). A second request with the same token waits on the claim's unique key while the
first is still running, then finds it, and is answered with the first one's record.
"""

import re
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from starrating.extensions import db
from starrating.models import FormSubmission
from starrating.models.types import utcnow

KEPT = timedelta(days=7)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ALREADY = "这份表单刚才已经提交过了，没有重复保存。下面是已经保存的内容。"


def claim(token: str | None) -> str | None:
    """Claim the token for this request's record. None: go on and create (a missing or
    malformed token is not deduplicated); else the address of the record an earlier submission
    of the same form already made."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    try:
        with db.session.begin_nested():
            db.session.add(FormSubmission(token=token))
    except IntegrityError:
        done = db.session.scalar(
            select(FormSubmission.done_url).where(FormSubmission.token == token)
        )
        return done or ""
    return None


def made(token: str | None, url: str) -> None:
    """Where the record made under the claimed token is shown (in the same transaction)."""
    if not token or not _TOKEN.fullmatch(token):
        return
    submission = db.session.get(FormSubmission, token)
    if submission is not None:
        submission.done_url = url
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEPT))
