"""The 公示档案 of a village-year (DESIGN.md §16): every version that went public, oldest first,
with its period and who signed it off, and the year's objections with their answers — read from
the stored versions, so it shows what was published, not what the results are now."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from starrating.models import AssessmentYear, Objection, ResultVersion
from starrating.queries.board import village_objections
from starrating.queries.versions import (
    CadreContent,
    TenStarContent,
    cadres_of,
    tenstar_of,
    versions_of,
)
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import GRADE_ORDER
from starrating.rules.vocabulary import Role
from starrating.spreadsheets.exports.appraisal import CadreBook
from starrating.spreadsheets.exports.archive import (
    ArchiveBook,
    ArchivedObjection,
    Publication,
)
from starrating.spreadsheets.exports.layout import Heading
from starrating.spreadsheets.exports.tenstar import TenStarSheet
from starrating.web import china_day


@dataclass(frozen=True)
class Published:
    """One publication in the archive: the version and its rows, and what it was (the first
    publication of its part, or a correction)."""

    version: ResultVersion
    tenstar: TenStarContent | None
    cadres: CadreContent | None
    correction: bool

    @property
    def title(self) -> str:
        kind = "更正" if self.correction else "公示"
        return f"{self.version.part.label}第 {self.version.number} 版（{kind}）"

    @property
    def facts(self) -> str:
        v = self.version
        assert v.published_on is not None and v.publicity_ends_on is not None
        signed = (
            f"审核签字：{v.signed_by.display_name} {china_day(v.signed_at):%Y-%m-%d}"
            if v.signed_by is not None and v.signed_at is not None
            else f"审核签字：无（{v.note}）"
            if v.note
            else "审核签字：无"
        )
        return (
            f"{self.title}　公示：{v.published_on:%Y-%m-%d} 起至 {v.publicity_ends_on:%Y-%m-%d}"
            f"　{signed}　校验码 {v.content_digest[:12]}"
        )


def publications(year: AssessmentYear) -> list[Published]:
    """Every published version of the year, oldest first."""
    found = [v for v in reversed(versions_of(year.id)) if v.published]
    found.sort(key=lambda v: (v.published_on, v.part != Part.TENSTAR, v.number))
    seen: set[tuple[Part, int | None]] = set()
    shown = []
    for version in found:
        key = (version.part, version.publication)
        shown.append(
            Published(
                version=version,
                tenstar=tenstar_of(version) if version.part is Part.TENSTAR else None,
                cadres=cadres_of(version) if version.part is Part.CADRES else None,
                correction=key in seen,
            )
        )
        seen.add(key)
    return shown


def archived_objection(objection: Objection) -> ArchivedObjection:
    by = objection.answered_by
    return ArchivedObjection(
        reference=objection.reference,
        topic=objection.topic.label,
        filed_on=china_day(objection.filed_at),
        content=objection.content,
        answer=objection.answer,
        answered_on=china_day(objection.answered_at) if objection.answered_at else None,
        answered_by=None if by is None else "乡镇" if by.role is Role.TOWNSHIP else "村党支部",
    )


def archive_book(year: AssessmentYear, *, today: date) -> ArchiveBook:
    village = year.village
    heading = Heading(village.township.name, year.year, today, village.name)
    sheets = []
    for published in publications(year):
        kind = "更正" if published.correction else "公示"
        name = f"{published.version.part.short_label}第{published.version.number}版{kind}"
        if published.tenstar is not None:
            content = published.tenstar
            sheet = TenStarSheet(
                heading=heading,
                stage="公示档案",
                star_names=content.star_names,
                members=[m.line for m in content.members],
                grade_counts=_grade_counts(content),
                lines=(published.facts,),
            )
            sheets.append(Publication(name, tenstar=sheet))
        elif published.cadres is not None:
            book = CadreBook(
                heading=heading,
                ballot_note=published.cadres.ballot_note,
                cadres=[c.line for c in published.cadres.cadres],
                lines=(published.facts,),
            )
            sheets.append(Publication(name, cadres=book))
    objections = [archived_objection(o) for o in village_objections(year.village_id, year.year)]
    return ArchiveBook(heading=heading, publications=sheets, objections=objections)


def _grade_counts(content: TenStarContent) -> list[tuple[str, int]]:
    counts = Counter(m.grade for m in content.members)
    return [(grade.label, counts[grade]) for grade in GRADE_ORDER if counts[grade]]
