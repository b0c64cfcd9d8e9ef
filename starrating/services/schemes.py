"""The township's yearly scheme: create it (from the defaults or last year's), edit it until it
freezes, and freeze it when the first village opens its year."""

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import Scheme, Township, User
from starrating.models.types import utcnow
from starrating.rules.appraisal_scheme import AppraisalScheme, default_appraisal_scheme
from starrating.rules.appraisal_scheme import scheme_problems as appraisal_problems
from starrating.rules.board_scheme import BoardScheme
from starrating.rules.tenstar_scheme import (
    TenStarScheme,
    default_tenstar_scheme,
    scheme_problems,
)
from starrating.rules.tenstar_scheme_json import scheme_to_dict
from starrating.services import ServiceError, StaleEdit
from starrating.services.audit import record_event

FIRST_YEAR, LAST_YEAR = 2000, 2100


class SchemeFrozen(ServiceError):
    """The year's scheme is in use: results must keep naming the rules they were decided by."""

    def __init__(self, scheme: Scheme) -> None:
        super().__init__(
            f"{scheme.year} 年度方案已于有村开始评定时冻结，不能再修改；如需调整请制定下一年度方案"
        )


class SchemeRejected(ServiceError):
    """Settings the township may not use; `problems` lists every one, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("方案有误：" + "；".join(problems))
        self.problems = problems


def _audit(
    actor: User | None,
    scheme: Scheme,
    action: str,
    summary: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="scheme",
        object_id=scheme.id,
        township_id=scheme.township_id,
        before=before,
        after=after,
    )


def create_scheme(*, actor: User, township: Township, year: int) -> Scheme:
    """Start a year's scheme: a copy of the nearest earlier year's, else the defaults."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(f"年度须在 {FIRST_YEAR}–{LAST_YEAR} 之间")
    existing = db.session.scalar(
        select(Scheme).where(Scheme.township_id == township.id, Scheme.year == year)
    )
    if existing is not None:
        raise ServiceError(f"{year} 年度方案已存在")
    earlier = db.session.scalar(
        select(Scheme)
        .where(Scheme.township_id == township.id, Scheme.year < year)
        .order_by(Scheme.year.desc())
        .limit(1)
    )
    defaults = {
        "tenstar": scheme_to_dict(default_tenstar_scheme()),
        "appraisal": default_appraisal_scheme().to_dict(),
        "board": BoardScheme().to_dict(),
    }
    rules = {**defaults, **earlier.rules} if earlier else defaults
    scheme = Scheme(township=township, year=year, rules=rules)
    db.session.add(scheme)
    db.session.flush()
    source = f"沿用 {earlier.year} 年度方案" if earlier else "采用默认规则"
    _audit(actor, scheme, "scheme.create", f"制定 {year} 年度方案（{source}）")
    return scheme


def save_tenstar_rules(
    *, actor: User, scheme: Scheme, rules: TenStarScheme, expected_version: int
) -> Scheme:
    """Replace the year's ten-star rules; refused once frozen or when a setting is out of range."""
    _check_editable(scheme, expected_version)
    problems = scheme_problems(rules)
    if problems:
        raise SchemeRejected(problems)
    before = scheme_to_dict(scheme.tenstar)  # a scheme older than a setting reads its default
    _replace_part(actor, scheme, "tenstar", before, scheme_to_dict(rules), "十星评定方案")
    return scheme


def save_appraisal_rules(
    *, actor: User, scheme: Scheme, rules: AppraisalScheme, expected_version: int
) -> Scheme:
    """Replace the year's cadre appraisal rules (weights, grades, consequences, pay rule);
    refused once frozen or when a setting is out of range."""
    _check_editable(scheme, expected_version)
    problems = appraisal_problems(rules)
    if problems:
        raise SchemeRejected(problems)
    before = scheme.appraisal.to_dict()  # the defaults, if the scheme predates stored cadre rules
    _replace_part(actor, scheme, "appraisal", before, rules.to_dict(), "村干部考核规则")
    return scheme


def save_board_rules(
    *, actor: User, scheme: Scheme, rules: BoardScheme, expected_version: int
) -> Scheme:
    """Replace what the year's village boards show; refused once frozen."""
    _check_editable(scheme, expected_version)
    before = scheme.board.to_dict()
    _replace_part(actor, scheme, "board", before, rules.to_dict(), "公示栏公开内容")
    return scheme


def _check_editable(scheme: Scheme, expected_version: int) -> None:
    if scheme.frozen:
        raise SchemeFrozen(scheme)
    if scheme.version != expected_version:
        raise StaleEdit()


def _replace_part(
    actor: User, scheme: Scheme, part: str, before: dict, after: dict, what: str
) -> None:
    """Store one part of the rules and audit what changed in it."""
    scheme.rules = {**scheme.rules, part: after}
    scheme.updated_at = utcnow()
    db.session.flush()
    _audit(
        actor,
        scheme,
        "scheme.update",
        f"修改 {scheme.year} 年度{what}",
        before=_flat(before),
        after=_flat(after),
    )


def freeze_scheme(*, actor: User, scheme: Scheme, village_name: str) -> None:
    """A scheme in use never changes again: results always name the rules they used."""
    if scheme.frozen:
        return
    scheme.frozen_at = utcnow()
    _audit(
        actor, scheme, "scheme.freeze", f"{scheme.year} 年度方案冻结（{village_name}开启年度评定）"
    )


def _flat(rules: dict, prefix: str = "") -> dict:
    """The rules as one level of keys (pay_rule.tiers.excellent), so the audit trail shows just
    what changed."""
    flat: dict = {}
    for key, value in rules.items():
        if key == "stars":
            for star in value:
                for field, text in star.items():
                    flat[f"{prefix}stars.{star['code']}.{field}"] = text
        elif isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
