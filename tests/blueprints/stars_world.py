"""An approved year for the stars through the year (issue 19): six members marked, one 免评, one
joining after the year opened, approved by the township; 摘星 and 升星 fall in the year after."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from starrating.extensions import db
from starrating.models import AssessedMember, AssessmentYear, Member, User, Village
from starrating.queries.assessment import assessed_members
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import MemberCategory, Role
from starrating.services import review as review_service
from starrating.services.appraisal import record_verified_completion
from starrating.services.assessment import close_marking
from starrating.services.marking import record_marks
from starrating.services.vetoes import record_exemption
from tests.blueprints.test_appraisal import create_cadre, create_pledge
from tests.blueprints.test_township_review import (
    AFTER_PUBLICITY,
    BASIC,
    NAMES,
    PUBLISHED,
    VANGUARD,
    YEAR,
    hold_member_ballot,
)
from tests.factories import create_member, create_user, create_village, open_assessment, signed_off

NEXT = YEAR + 1
TODAY = date(NEXT, 6, 30)  # in the year after the approved one
APPROVED_AT = datetime(YEAR, 12, 12, 2, 0, tzinfo=UTC)  # 10:00 in China


@dataclass
class Approved:
    village: Village
    secretary: User
    committee: User
    reviewer: User
    year: AssessmentYear
    members: dict[str, Member]  # by name; 宋明远 10 stars 优秀, the others 6 stars 合格
    exempt: Member  # 老党员: 免评
    newcomer: Member  # joined the roster after the year opened: not in it


def approved_world(village: Village | None = None) -> Approved:
    village = village or create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    committee = create_user(role=Role.COMMITTEE, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    members = {name: create_member(village=village, name=name) for name in NAMES}
    exempt = create_member(village=village, name="老党员", category=MemberCategory.ELDERLY_INFIRM)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary], year=YEAR)
    newcomer = create_member(village=village, name="新党员")
    rows = {a.member_id: a for a in assessed_members(year.id)}
    old = rows[exempt.id]
    record_exemption(
        actor=secretary,
        assessed=old,
        meeting_date=date(YEAR, 3, 1),
        reason="年老体弱",
        expected_version=old.version,
        today=PUBLISHED,
    )
    for position, name in enumerate(NAMES):
        marks = dict.fromkeys(BASIC, True) | dict.fromkeys(VANGUARD, position == 0)
        record_marks(rater=secretary, assessed=rows[members[name].id], marks=marks)
    hold_member_ballot(village=village, secretary=secretary)
    close_marking(actor=secretary, year=year)
    cadre = create_cadre(village=village)
    for item in create_pledge(cadre=cadre).items:
        record_verified_completion(actor=secretary, item=item, completion=Decimal(95))
    signed_off(year, Part.TENSTAR, signer=committee)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISHED)
    signed_off(year, Part.CADRES, signer=committee)
    review_service.publish_cadre_results(actor=secretary, year=year, today=PUBLISHED)
    review_service.submit_year(actor=secretary, year=year, today=AFTER_PUBLICITY)
    review_service.approve_year(
        actor=reviewer,
        year=year,
        approved_members=review_service.members_needing_approval(year),
        opinion="同意",
    )
    year.decided_at = APPROVED_AT  # whenever the tests run
    db.session.commit()
    return Approved(village, secretary, committee, reviewer, year, members, exempt, newcomer)


def assessed_of(world: Approved, member: Member) -> AssessedMember:
    return next(a for a in assessed_members(world.year.id) if a.member_id == member.id)
