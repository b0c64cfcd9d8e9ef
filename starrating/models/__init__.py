"""SQLAlchemy models, a module per aggregate; importing this package registers every table."""

from starrating.models.assessment import AssessedMember, AssessmentYear, Rater, Scheme, StarMark
from starrating.models.audit import AuditEvent
from starrating.models.ballots import (
    BallotReceipt,
    BallotRound,
    BallotSubject,
    BallotToken,
    CastBallot,
    Certification,
    PaperEntry,
    PrintRun,
)
from starrating.models.cadres import (
    Cadre,
    CadreRelative,
    Pledge,
    PledgeItem,
    QuarterlyReport,
    TownshipScore,
)
from starrating.models.members import Member
from starrating.models.org import LoginSession, SupervisorSeat, Township, User, Village
from starrating.models.results import ResultVersion
from starrating.models.review import Objection, ObjectionTopic, YearReview
from starrating.models.security import FormSubmission, RateLimitHit
from starrating.models.stars import StarChange

__all__ = [
    "AssessedMember",
    "AssessmentYear",
    "AuditEvent",
    "BallotReceipt",
    "BallotRound",
    "BallotSubject",
    "BallotToken",
    "Cadre",
    "CadreRelative",
    "CastBallot",
    "Certification",
    "Rater",
    "Scheme",
    "StarChange",
    "StarMark",
    "SupervisorSeat",
    "TownshipScore",
    "LoginSession",
    "Member",
    "Objection",
    "ObjectionTopic",
    "PaperEntry",
    "Pledge",
    "PledgeItem",
    "PrintRun",
    "QuarterlyReport",
    "FormSubmission",
    "RateLimitHit",
    "ResultVersion",
    "Township",
    "User",
    "Village",
    "YearReview",
]
