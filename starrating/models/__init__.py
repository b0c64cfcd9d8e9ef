"""SQLAlchemy models, a module per aggregate; importing this package registers every table."""

from starrating.models.assessment import AssessedMember, AssessmentYear, Rater, Scheme, StarMark
from starrating.models.audit import AuditEvent
from starrating.models.ballots import (
    BallotRound,
    BallotSubject,
    BallotToken,
    CastBallot,
    Certification,
    PaperEntry,
)
from starrating.models.members import Member
from starrating.models.org import Township, User, Village
from starrating.models.security import RateLimitCounter

__all__ = [
    "AssessedMember",
    "AssessmentYear",
    "AuditEvent",
    "BallotRound",
    "BallotSubject",
    "BallotToken",
    "CastBallot",
    "Certification",
    "Rater",
    "Scheme",
    "StarMark",
    "Member",
    "PaperEntry",
    "RateLimitCounter",
    "Township",
    "User",
    "Village",
]
