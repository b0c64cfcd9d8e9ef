"""The tellers' paper ballot pages: key a sheet as one digit per subject, resolve the sheets two
keyings disagree on, and certify the closed round's tally (DESIGN.md §6 Paper, certification).

The second keyer never sees the first entry: entries are shown only on the disagreements page,
once both are in.
"""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import (
    STALE_FORM,
    form_problem,
    refused,
    refused_back,
    submit_change,
)
from starrating.extensions import db
from starrating.forms import ConfirmForm
from starrating.forms.paper import (
    KEY,
    BadDigits,
    CorrectionForm,
    PaperForm,
    VoidSheetForm,
    digits_of,
    read_digits,
)
from starrating.models import BallotRound, BallotSubject
from starrating.models.ballots import PaperEntry
from starrating.permissions import allow, get_round_or_404
from starrating.queries import ballots as reads
from starrating.rules.ballots import Choice
from starrating.rules.electorate import RoundState
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services import paper as service
from starrating.services.ballots import WRITERS_OFF, write_off_unused_codes
from starrating.services.supervision import cadre_section_conflict

KEYERS = (Role.TELLER, Role.COMMITTEE, Role.SECRETARY)


def get_entry_or_404(ballot_round: BallotRound, entry_id: int) -> PaperEntry:
    found = db.session.scalar(
        select(PaperEntry).where(PaperEntry.id == entry_id, PaperEntry.round_id == ballot_round.id)
    )
    if found is None:
        abort(404)
    return found


def _marks(subjects: list[BallotSubject], choices: list[Choice | None]) -> dict[int, Choice]:
    return {s.id: c for s, c in zip(subjects, choices, strict=True) if c is not None}


def _choices(subjects: list[BallotSubject], marks: dict[str, str]) -> list[Choice | None]:
    return [Choice(marks[str(s.id)]) if str(s.id) in marks else None for s in subjects]


def _first_error(form: PaperForm | CorrectionForm) -> str:
    """The one field's message as it is (the page shows it beside the digits)."""
    return form_problem(form, labelled=False)


# --- the rounds a teller can key and certify ----------------------------------------------------


@bp.route("/paper")
@allow(*KEYERS)
def paper_rounds() -> Any:
    rounds = reads.rounds_of(current_user.village_id)
    return render_template(
        "branch/paper_rounds.html", rounds=[r for r in rounds if r.state is not RoundState.DRAFT]
    )


# --- keying -------------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"])
@allow(*KEYERS)
def paper(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    subjects = reads.subjects(found.id)
    form = PaperForm()
    if form.is_submitted():
        problem, parsed = _key(found, subjects, form)
        if problem is None:
            return redirect(url_for("branch.paper", round_id=found.id))
        flash(problem, "error")
        return refused(_paper_page(found, subjects, form, parsed, refused=True))
    return _paper_page(found, subjects, PaperForm(formdata=None), None)


def _key(
    ballot_round: BallotRound, subjects: list[BallotSubject], form: PaperForm
) -> tuple[str | None, list[Choice | None] | None]:
    """Key the posted sheet; (None, choices) when stored, else (the reason, what was read)."""
    if not form.validate():
        return _first_error(form), None
    try:
        choices = read_digits(form.digits.data, [s.name for s in subjects])
    except BadDigits as error:
        return str(error), None
    try:
        keyed = service.key_paper_ballot(
            user=current_user,
            ballot_round=ballot_round,
            code=form.code.data,
            marks=_marks(subjects, choices),
        )
    except ServiceError as error:
        db.session.rollback()
        return error.message, choices
    db.session.commit()
    agreed = keyed.outcome is not service.Keyed.DISAGREE
    flash(keyed.message, "success" if agreed else "error")
    return None, choices


def _paper_page(
    ballot_round: BallotRound,
    subjects: list[BallotSubject],
    form: PaperForm,
    parsed: list[Choice | None] | None,
    *,
    refused: bool = False,
) -> str:
    return render_template(
        "branch/paper.html",
        ballot_round=ballot_round,
        subjects=subjects,
        rows=[subjects[i : i + 10] for i in range(0, len(subjects), 10)],
        form=form,
        parsed=parsed,
        refused=refused,
        key=KEY,
        progress=reads.paper_progress(ballot_round.id),
        open_for_keying=ballot_round.state is not RoundState.DRAFT
        and ballot_round.certified_at is None,
        conflict=cadre_section_conflict(current_user, ballot_round),
    )


# --- disagreements ------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/paper/disagreements")
@allow(*KEYERS)
def paper_disagreements(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    subjects = reads.subjects(found.id)
    disagreements = reads.paper_disagreements(found.id)
    return render_template(
        "branch/paper_disagreements.html",
        ballot_round=found,
        subjects=subjects,
        disagreements=[
            (
                d,
                [
                    (e, _choices(subjects, e.marks), digits_of(_choices(subjects, e.marks)))
                    for e in d.entries
                ],
            )
            for d in disagreements
        ],  # fmt: skip
        form=CorrectionForm(formdata=None),
        key=KEY,
    )


@bp.route("/rounds/<int:round_id>/paper/entries/<int:entry_id>", methods=["POST"])
@allow(*KEYERS)
def correct_paper_entry(round_id: int, entry_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    entry = get_entry_or_404(found, entry_id)
    subjects = reads.subjects(found.id)
    back = url_for("branch.paper_disagreements", round_id=found.id)
    form = CorrectionForm()
    if not form.validate():
        return refused_back(_first_error(form), back)
    try:
        choices = read_digits(form.digits.data, [s.name for s in subjects])
        outcome = service.correct_paper_entry(
            user=current_user, entry=entry, marks=_marks(subjects, choices)
        )
    except BadDigits as error:
        return refused_back(f"第 {entry.serial} 号选票：{error}", back)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, back)
    db.session.commit()
    flash(f"第 {entry.serial} 号选票：{outcome.message}", "success")
    return redirect(back)


# --- certification ------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/certification")
@allow(*KEYERS)
def certification(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    tally = reads.round_tally(found) if found.state is RoundState.CLOSED else None
    by_id = {s.id: s for s in reads.subjects(found.id)}
    signed = reads.certifications(found.id)
    sheets = reads.paper_sheets(found.id)
    return render_template(
        "branch/paper_certification.html",
        ballot_round=found,
        tally=tally,
        rows=[(by_id[i], t) for i, t in tally.subjects] if tally else [],
        signed=signed,
        signed_by_me=any(c.user_id == current_user.id for c in signed),
        progress=reads.paper_progress(found.id),
        counts=reads.turnout(found),
        waiting=[s for s in sheets if s.state is reads.SheetState.WAITING],
        superseded=[s for s in sheets if s.state is reads.SheetState.SUPERSEDED],
        voided=[s for s in sheets if s.state is reads.SheetState.VOIDED],
        may_write_off=current_user.role in WRITERS_OFF,
        conflict=cadre_section_conflict(current_user, found),
        confirm_form=ConfirmForm(),
        void_form=VoidSheetForm(formdata=None),
    )


@bp.route("/rounds/<int:round_id>/write-off", methods=["POST"])
@allow(Role.COMMITTEE, Role.TELLER)
def write_off(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    return submit_change(
        ConfirmForm(),
        lambda: write_off_unused_codes(actor=current_user, ballot_round=found),
        done=lambda count: f"已核销未使用的票码 {count} 张：这些票码不能再投票或录入",
        back=url_for("branch.certification", round_id=found.id),
    )


@bp.route("/rounds/<int:round_id>/paper/entries/<int:entry_id>/void", methods=["POST"])
@allow(*KEYERS)
def propose_void(round_id: int, entry_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    entry = get_entry_or_404(found, entry_id)
    form = VoidSheetForm()
    return submit_change(
        form,
        lambda: service.propose_void(user=current_user, entry=entry, reason=form.reason.data),
        done=f"已提出作废第 {entry.serial} 号选票，需另一人确认后生效",
        back=url_for("branch.certification", round_id=found.id),
    )


@bp.route("/rounds/<int:round_id>/paper/entries/<int:entry_id>/void/confirm", methods=["POST"])
@allow(*KEYERS)
def confirm_void(round_id: int, entry_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    entry = get_entry_or_404(found, entry_id)
    return submit_change(
        ConfirmForm(),
        lambda: service.confirm_void(user=current_user, entry=entry),
        done=f"第 {entry.serial} 号选票已作废，不计入",
        back=url_for("branch.certification", round_id=found.id),
    )


@bp.route("/rounds/<int:round_id>/certify", methods=["POST"])
@allow(*KEYERS)
def certify_round(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    back = url_for("branch.certification", round_id=found.id)
    if not ConfirmForm().validate_on_submit():
        return refused_back(STALE_FORM, back)
    try:
        final = service.certify_round(user=current_user, ballot_round=found)
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, back)
    db.session.commit()
    flash(
        "计票结果已由两人确认，结果生效"
        if final
        else "已记录您的确认；还需另一人确认（其中须有计票人）结果才生效",
        "success",
    )
    return redirect(back)
