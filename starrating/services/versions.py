"""Result versions (DESIGN.md §16): the secretary prepares a version of a part's results (the
ten-star results or the cadres'), another signs it off (审核签字), then it goes public —
first as the publication, later as a correction. services/review.py publishes, submits and
approves through here; nothing here changes a version once it is public."""

from datetime import date

from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, ResultVersion, User, YearReview
from starrating.models.types import utcnow
from starrating.plain import plain
from starrating.queries.versions import Built, build, latest_draft, versions_of
from starrating.rules.assessment_state import Step, lock_message, village_may_edit
from starrating.rules.result_versions import Part, publish_problem, sign_off_problem
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.supervision import has_supervisors, on_committee


def prepare_version(*, actor: User, year: AssessmentYear, part: Part) -> ResultVersion:
    """Store the part's results as they are now as a new version awaiting its sign-off (or
    the draft already waiting, when nothing changed since it was made)."""
    if actor.role is not Role.SECRETARY:
        raise ServiceError("公示稿只能由支部书记生成")
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    built = build(year, part)
    draft = latest_draft(year.id, part)
    if draft is not None and draft.content_digest == built.content_digest:
        return draft
    version = _store(year, built, actor)
    record_event(
        actor=actor,
        action=f"version.prepare_{part.value}",
        summary=f"生成 {year.year} 年度{part.label}公示稿第 {version.number} 版，待审核签字",
        object_type="result_version",
        object_id=version.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        after={"number": version.number, "digest": version.content_digest[:16]},
    )
    return version


def store_version(
    *, actor: User | None, year: AssessmentYear, part: Part, note: str | None = None
) -> ResultVersion:
    """Store the part's results now as a version without audit or checks: for the data
    migration of years published before versions existed (their note says so)."""
    version = _store(year, build(year, part), actor)
    version.note = note
    return version


def _store(year: AssessmentYear, built: Built, actor: User | None) -> ResultVersion:
    number = (
        db.session.scalar(
            select(func.max(ResultVersion.number)).where(
                ResultVersion.year_id == year.id, ResultVersion.part == built.part
            )
        )
        or 0
    ) + 1
    version = ResultVersion(
        year_id=year.id,
        part=built.part,
        number=number,
        content=_plain_content(built),
        summary=built.summary,
        content_digest=built.content_digest,
        inputs_digest=built.inputs_digest,
        scheme_id=year.scheme_id,
        scheme_version=year.scheme.version,
        made_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def _plain_content(built: Built) -> dict[str, object]:
    data: dict[str, object] = plain(built.content)
    return data


def sign_off(*, actor: User, version: ResultVersion) -> None:
    """审核签字: a member of the village's 村务监督委员会 (until it is established, another of
    the branch committee) checks the prepared version against the results now and signs it."""
    year = version.year
    latest = versions_of(year.id, version.part)[0]
    if actor.village_id != year.village_id:
        raise ServiceError("只能为本村的公示稿签字")
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    problem = sign_off_problem(
        signer_role=actor.role,
        signer_id=actor.id,
        maker_id=version.made_by_id or 0,
        published=version.published,
        latest=latest.id == version.id,
        has_supervisors=has_supervisors(year.village_id),
        on_committee=on_committee(actor),
    )
    if problem:
        raise ServiceError(problem)
    if version.signed:
        raise ServiceError(f"这一版已由{version.signed_by.display_name}审核签字")  # type: ignore[union-attr]
    if build(year, version.part).content_digest != version.content_digest:
        raise ServiceError("生成公示稿之后评定结果又有变化：请支部书记重新生成公示稿")
    version.signed_by_id, version.signed_at = actor.id, utcnow()
    db.session.flush()
    record_event(
        actor=actor,
        action=f"version.sign_{version.part.value}",
        summary=f"审核签字：{year.year} 年度{version.part.label}公示稿第 {version.number} 版",
        object_type="result_version",
        object_id=version.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        after={"number": version.number, "digest": version.content_digest[:16]},
    )


def signed_draft(year: AssessmentYear, part: Part) -> ResultVersion:
    """The version to put on the board now: the latest, signed off, still the results as
    they are now; else refused with why."""
    draft = latest_draft(year.id, part)
    if draft is None:
        raise ServiceError(f"还没有{part.label}的公示稿：请先生成公示稿并请审核签字")
    unchanged = build(year, part).content_digest == draft.content_digest
    problem = publish_problem(signed=draft.signed, unchanged=unchanged)
    if problem:
        raise ServiceError(problem)
    return draft


def put_on_board(version: ResultVersion, *, today: date, ends_on: date, correction: bool) -> None:
    """The version goes public today: a new publication of its part, or a correction of the
    one on the board (the same publication, its publicity days unchanged)."""
    published = [v for v in versions_of(version.year_id, version.part) if v.published]
    last = (published[0].publication or 0) if published else 0
    version.published_on, version.publicity_ends_on = today, ends_on
    version.publication = last if correction and published else last + 1
    db.session.flush()


def correction_needed(year: AssessmentYear, part: Part) -> bool:
    """Whether the part's results now differ from the version on the board."""
    published = [v for v in versions_of(year.id, part) if v.published]
    if not published:
        return False
    return build(year, part).content_digest != published[0].content_digest


LEGACY_NOTE = "升级时按当时的数据补存：这次公示早于结果版本记录，没有审核签字记录"


def backfill_versions() -> int:
    """The data step of migration 0017: store a version for each part of every year that
    went public before versions existed (from its inputs now: a submitted or approved year's
    inputs are locked, so it is what was submitted), and name it on the year's submission and
    approval. Safe to run again; returns how many versions it stored."""
    stored = 0
    years = db.session.scalars(
        select(AssessmentYear).where(
            AssessmentYear.published_on.is_not(None)
            | AssessmentYear.cadres_published_on.is_not(None)
        )
    )
    for year in years:
        named: dict[str, int] = {}
        for part, published_on, ends_on in (
            (Part.TENSTAR, year.published_on, year.publicity_ends_on),
            (Part.CADRES, year.cadres_published_on, year.cadres_publicity_ends_on),
        ):
            if published_on is None or versions_of(year.id, part):
                continue
            version = store_version(actor=None, year=year, part=part, note=LEGACY_NOTE)
            version.published_on, version.publicity_ends_on = published_on, ends_on
            version.publication = 1
            named[part.value] = version.id
            stored += 1
        if named:
            _name_on_reviews(year, named)
    db.session.flush()
    return stored


def _name_on_reviews(year: AssessmentYear, named: dict[str, int]) -> None:
    for review in db.session.scalars(
        select(YearReview).where(
            YearReview.year_id == year.id,
            YearReview.step.in_((Step.SUBMIT, Step.APPROVE)),
            YearReview.versions.is_(None),
        )
    ):
        review.versions = dict(named)
