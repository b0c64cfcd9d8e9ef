"""The secretary's satisfaction ballot rounds: set one up, print its codes, open it, watch the
turnout, void and replace a lost ballot, close it and read the tally (DESIGN.md §6).

The codes exist in plain text only in the response that prints them: they are never flashed,
logged, audited or kept in the session.
"""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import (
    form_page,
    form_problem,
    submit_change,
)
from starrating.extensions import db
from starrating.forms import ConfirmForm
from starrating.forms.ballots import CodesForm, RoundForm, VoidForm
from starrating.models import BallotRound, BallotToken
from starrating.permissions import allow, get_round_or_404
from starrating.queries import ballots as reads
from starrating.queries.assessment import year_of
from starrating.queries.printing import print_runs
from starrating.rules.electorate import Electorate, RoundState, Section
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, guessing, once
from starrating.services import ballots as service
from starrating.services.review import active_cadre_count
from starrating.web import (
    china_today,
    printed_address,
    printing_problem,
)

# Up to this many subjects a page of the ballot has one column; more are split into two columns
# side by side, and up to PAGE_MAX fit one A4 page (a whole assembly: 58 members and 7 cadres).
ONE_COLUMN_MAX = 24
PAGE_MAX = 80


def round_url(ballot_round: BallotRound) -> str:
    return url_for("branch.round", round_id=ballot_round.id)


def form_problem_of(form: FlaskForm) -> str:
    return form_problem(form, hidden=("version", "csrf_token", "issued"))


def _china_to_utc(moment: datetime | None) -> datetime | None:
    """A datetime-local typed in the village is China time; the database keeps UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(UTC)


# --- the village's rounds -----------------------------------------------------------------------


def _issued_and_returned(village_id: int) -> dict[int, tuple[int, int]]:
    """Round id → (issued, returned) for all the village's rounds, in one query."""
    live = BallotToken.handed_out()
    rows = db.session.execute(
        select(
            BallotToken.round_id,
            func.count(case((live, 1))),
            func.count(case((live & BallotToken.used, 1))),
        )
        .join(BallotRound, BallotRound.id == BallotToken.round_id)
        .where(BallotRound.village_id == village_id)
        .group_by(BallotToken.round_id)
    )
    return {round_id: (issued, returned) for round_id, issued, returned in rows}


@bp.route("/rounds", methods=["GET", "POST"])
@allow(Role.SECRETARY)
def rounds() -> Any:
    if request.method == "GET":
        form = _new_round_form(china_today().year)
    else:
        form = RoundForm()
        created = _create_round(form)
        if created is not None:
            return redirect(round_url(created))
    page = render_template(
        "branch/rounds.html",
        rounds=reads.rounds_of(current_user.village_id),
        counts=_issued_and_returned(current_user.village_id),
        form=form,
    )
    return form_page(page)


def _new_round_form(year: int) -> RoundForm:
    """This year's round, ticking only the sections that still need one (a member round
    already certified for the year is not asked again by default)."""
    record = year_of(current_user.village_id, year)
    needed = reads.sections_needing_a_round(
        village_id=current_user.village_id,
        year=year,
        year_id=record.id if record else None,
        cadres=active_cadre_count(current_user.village_id),
    )
    return RoundForm(
        year=year, members=needed.members, cadres=needed.cadres, electorate=Electorate.VILLAGERS
    )


def _create_round(form: RoundForm) -> BallotRound | None:
    if not form.validate_on_submit():
        flash(form_problem_of(form), "error")
        return None
    if (done := once.claim(form.once.data)) is not None:
        flash(once.ALREADY, "info")
        abort(redirect(done or url_for("branch.rounds")))
    try:
        created = service.create_round(
            actor=current_user,
            village=current_user.village,
            year=form.year.data,
            title=form.title.data or "",
            members=form.members.data,
            cadres=form.cadres.data,
            electorate=Electorate(form.electorate.data),
            eligible=form.eligible.data,
            starts_at=_china_to_utc(form.starts_at.data),
            ends_at=_china_to_utc(form.ends_at.data),
        )
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    once.made(form.once.data, round_url(created))
    db.session.commit()
    flash(f"已创建测评「{created.title}」，下一步：生成并打印选票", "success")
    return created


# --- one round ----------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>", endpoint="round")
@allow(Role.SECRETARY)
def round_page(round_id: int) -> Any:
    return render_round_page(get_round_or_404(round_id, for_user=current_user))


def render_round_page(
    found: BallotRound,
    *,
    codes_form: CodesForm | None = None,
    void_form: VoidForm | None = None,
    problems: dict[str, str] | None = None,
) -> str:
    """The round's page; after a refused print or void, with the form as sent and the reason
    beside its button (problems: section id → message), the browser scrolled there."""
    counts = reads.turnout(found)
    required = found.electorate.quorum.required(found.eligible)
    remaining = found.eligible - counts.issued
    return render_template(
        "branch/round.html",
        ballot_round=found,
        counts=counts,
        required=required,
        remaining=remaining,
        subjects=reads.subjects(found.id),
        codes_form=codes_form or CodesForm(count=remaining, issued=counts.issued),
        void_form=void_form or VoidForm(),
        confirm_form=ConfirmForm(),
        guessing=guessing.village_alert(found.village_id),
        no_address=printing_problem(),
        address=printed_address(),
        print_runs=print_runs(found.id),
        problems=problems or {},
    )


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@allow(Role.SECRETARY)
def open_round(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.open_round(actor=current_user, ballot_round=found),
        done="已开始投票：村民现在可以扫码或交回纸质选票",
        back=round_url(found),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@allow(Role.SECRETARY)
def close_round(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: service.close_round(actor=current_user, ballot_round=found),
        done="投票已结束，可以查看测评结果",
        back=round_url(found),
    )


# --- the tally, after close only ----------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/tally")
@allow(Role.SECRETARY)
def round_tally(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    if found.state is not RoundState.CLOSED:
        # nobody sees results while a round is open, the secretary included (DESIGN.md §6)
        return render_template("branch/round_tally.html", ballot_round=found, tally=None), 409
    tally = reads.round_tally(found)
    by_id = {subject.id: subject for subject in reads.subjects(found.id)}
    rows = [(by_id[subject_id], subject_tally) for subject_id, subject_tally in tally.subjects]
    return render_template(
        "branch/round_tally.html",
        ballot_round=found,
        tally=tally,
        sections=[
            (section, [(s, t) for s, t in rows if s.section is section])
            for section in Section
            if any(s.section is section for s, _ in rows)
        ],
    )
