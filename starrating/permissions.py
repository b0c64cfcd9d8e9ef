"""Who may do what: blueprint guards, per-view role limits and scoped get-or-404 loaders.

Every blueprint calls guard_blueprint(); a test walks the URL map and fails on any route of an
unguarded blueprint. Objects of another village (or township) are a 404, never a 403, so that ids
cannot be probed.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select

from starrating.extensions import db, login_manager
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    BallotRound,
    Cadre,
    Member,
    Scheme,
    User,
    Village,
)
from starrating.rules.vocabulary import Role

F = TypeVar("F", bound=Callable[..., Any])
GUARDED = "starrating.guarded_blueprints"
# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout"})


def public(view: F) -> F:
    """Mark a view as open to anyone, without logging in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def allow(*roles: Role) -> Callable[[F], F]:
    """Narrow a view to some of its blueprint's roles."""

    def mark(view: F) -> F:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def guard_blueprint(blueprint: Blueprint, roles: frozenset[Role] | None) -> None:
    """Require a logged-in user of one of roles (None: any role) before every view."""

    @blueprint.before_request
    def _guard() -> Any:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        allowed = getattr(view, "allowed_roles", roles)
        if allowed is not None and current_user.role not in allowed:
            abort(403)
        return None

    blueprint.record_once(lambda state: _register(state.app, blueprint.name))


def _register(app: Flask, name: str) -> None:
    app.extensions.setdefault(GUARDED, set()).add(name)


def is_guarded(app: Flask, endpoint: str) -> bool:
    blueprint = endpoint.rpartition(".")[0]
    return blueprint in app.extensions.get(GUARDED, set())


T = TypeVar("T")


def _one_or_404(statement: Select[tuple[T]]) -> T:
    found = db.session.scalars(statement).first()
    if found is None:
        abort(404)
    return found


def visible_villages(user: User) -> Select[tuple[Village]]:
    """The villages user may see: their own, or every village of their township."""
    statement = select(Village)
    if user.role is Role.TOWNSHIP:
        return statement.where(Village.township_id == user.township_id)
    return statement.where(Village.id == user.village_id)


def get_public_village_or_404(code: str) -> Village:
    """A village by the code in its public addresses (ballot, board): open to anyone."""
    return _one_or_404(select(Village).where(Village.code == code))


def get_village_or_404(village_id: int, *, for_user: User) -> Village:
    return _one_or_404(visible_villages(for_user).where(Village.id == village_id))


def get_member_or_404(member_id: int, *, for_user: User) -> Member:
    villages = visible_villages(for_user).with_only_columns(Village.id)
    return _one_or_404(
        select(Member).where(Member.id == member_id, Member.village_id.in_(villages))
    )


def get_managed_user_or_404(user_id: int, *, for_user: User) -> User:
    """A township reviewer manages the accounts of their township's villages."""
    if for_user.role is not Role.TOWNSHIP:
        abort(404)
    villages = visible_villages(for_user).with_only_columns(Village.id)
    return _one_or_404(select(User).where(User.id == user_id, User.village_id.in_(villages)))


def get_year_or_404(year: int, *, for_user: User) -> AssessmentYear:
    """The ten-star year of the user's own village."""
    return _one_or_404(
        select(AssessmentYear).where(
            AssessmentYear.village_id == for_user.village_id, AssessmentYear.year == year
        )
    )


def get_assessed_member_or_404(assessed_id: int, *, year: AssessmentYear) -> AssessedMember:
    """A member of that year (the year was loaded through the user's scope)."""
    return _one_or_404(
        select(AssessedMember).where(
            AssessedMember.id == assessed_id, AssessedMember.year_id == year.id
        )
    )


def get_scheme_or_404(year: int, *, for_user: User) -> Scheme:
    """The yearly scheme of the reviewer's township."""
    if for_user.role is not Role.TOWNSHIP:
        abort(404)
    return _one_or_404(
        select(Scheme).where(Scheme.township_id == for_user.township_id, Scheme.year == year)
    )


def get_round_or_404(round_id: int, *, for_user: User) -> BallotRound:
    """A ballot round of a village the user may see (their own, or their township's)."""
    villages = visible_villages(for_user).with_only_columns(Village.id)
    return _one_or_404(
        select(BallotRound).where(BallotRound.id == round_id, BallotRound.village_id.in_(villages))
    )


def get_cadre_or_404(cadre_id: int, *, for_user: User) -> Cadre:
    """A cadre of a village the user may see (their own, or their township's)."""
    villages = visible_villages(for_user).with_only_columns(Village.id)
    return _one_or_404(select(Cadre).where(Cadre.id == cadre_id, Cadre.village_id.in_(villages)))
