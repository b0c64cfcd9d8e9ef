"""Printing a round's ballots (DESIGN.md §6): codes generated with their sheets, a voided
ballot's replacement, the scan test of a print run, and the print page itself."""

from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    jsonify,
    render_template,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from starrating.blueprints.branch import bp
from starrating.blueprints.branch.ballots import form_problem_of, render_round_page, round_url
from starrating.blueprints.changes import (
    refused,
    refused_back,
)
from starrating.extensions import db
from starrating.forms.ballots import SHEET, CodesForm, VoidForm
from starrating.models import BallotRound, BallotSubject, PrintRun
from starrating.permissions import allow, get_round_or_404
from starrating.queries import ballots as reads
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Section
from starrating.rules.serials import describe_serials
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, printing
from starrating.services import ballots as service
from starrating.services.ballots import PrintedCode
from starrating.web import (
    ballot_address,
    local_time,
    printed_address,
    printing_problem,
    qr_svg,
)

# Up to this many subjects a page of the ballot has one column; more are split into two columns
# side by side, and up to PAGE_MAX fit one A4 page (a whole assembly: 58 members and 7 cadres).
ONE_COLUMN_MAX = 24
PAGE_MAX = 80


def _address_refusal(form: CodesForm | VoidForm, nothing_done: str) -> str | None:
    """Why codes cannot be printed from this request now: no trusted address at all, or one a
    phone may not open (loopback, a bare LAN address) that the secretary has not confirmed."""
    if problem := printing_problem():  # codes shown once: never generated without their QR
        return problem
    address = printed_address()
    assert address is not None
    if address.kind.needs_confirmation and not form.address_confirmed.data:
        return (
            f"{nothing_done}：二维码将指向 {address.base}，村民手机扫码可能打不开（见下面的说明，"
            "可设置 STARRATING_PUBLIC_URL）。如果确实要用这个地址，"
            f"请勾选「{form.address_confirmed.label.text}」后再提交。"
        )
    return None


@bp.route("/rounds/<int:round_id>/codes", methods=["POST"])
@allow(Role.SECRETARY)
def generate_codes(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    form = CodesForm()
    if not form.validate_on_submit():
        return refused_back(form_problem_of(form), round_url(found))
    if problem := _address_refusal(form, "没有生成票码"):
        return refused(render_round_page(found, codes_form=form, problems={"codes": problem}))
    issued = service.issued_count(found)
    if form.issued.data != issued:
        # a reloaded print page or a double click sends the form again: never print twice
        return refused_back(
            f"这次提交的票码已经生成过（现已发出 {issued} 张），没有再生成。"
            "如果选票没有打出来，请按编号作废后补发。",
            round_url(found),
        )
    try:
        codes = service.generate_codes(
            actor=current_user, ballot_round=found, count=form.count.data
        )
        run = printing.record_print_run(
            actor=current_user, ballot_round=found, codes=codes, base_url=_base_url()
        )
    except ServiceError as error:
        db.session.rollback()
        return refused_back(error.message, round_url(found))
    db.session.commit()
    return _print_page(found, codes, run, layout=form.layout.data)


@bp.route("/rounds/<int:round_id>/void", methods=["POST"])
@allow(Role.SECRETARY)
def void_code(round_id: int) -> Any:
    """Void one sheet, a range or a list of them (a failed print run) and print as many
    replacements at once; nothing is voided if any one of them cannot be."""
    found = get_round_or_404(round_id, for_user=current_user)
    form = VoidForm()
    if not form.validate_on_submit():
        problem = form_problem_of(form) + "。没有作废任何选票。"
        return refused(render_round_page(found, void_form=form, problems={"void": problem}))
    if problem := _address_refusal(form, "没有作废任何选票"):  # replacements print at once
        return refused(render_round_page(found, void_form=form, problems={"void": problem}))
    serials = form.serials.data
    try:
        replacements = service.void_codes(
            actor=current_user,
            ballot_round=found,
            serials=serials,
            reason=form.void_reason.data,
        )
        run = printing.record_print_run(
            actor=current_user,
            ballot_round=found,
            codes=replacements,
            base_url=_base_url(),
            replaces=serials,
        )
    except ServiceError as error:
        db.session.rollback()
        return refused(render_round_page(found, void_form=form, problems={"void": error.message}))
    db.session.commit()
    return _print_page(found, replacements, run, layout=form.layout.data, voided=serials)


@bp.route("/rounds/<int:round_id>/print-runs/<int:run_id>/scan-test")
@allow(Role.SECRETARY)
def scan_test(round_id: int, run_id: int) -> Any:
    """Whether a phone has opened the test QR of a print run's cover page (the print page asks
    every few seconds): JSON for print.js."""
    found = get_round_or_404(round_id, for_user=current_user)
    run = db.session.get(PrintRun, run_id)
    if run is None or run.round_id != found.id:
        abort(404)
    return jsonify(
        scanned=run.scanned_at is not None,
        count=run.scan_count,
        first=local_time(run.scanned_at, "%H:%M:%S"),
        last=local_time(run.last_scanned_at, "%H:%M:%S"),
    )


def _base_url() -> str:
    address = printed_address()
    assert address is not None  # _address_refusal let it through
    return address.base


@dataclass(frozen=True)
class PrintedSheet:
    """One voter's sheet or slip, as printed: the only place the code is ever shown."""

    serial: int
    code: str
    address: str
    qr: Markup


@dataclass(frozen=True)
class SheetRow:
    """A row of the printed ballot: a section heading, or a numbered subject with four boxes."""

    heading: str | None = None
    subject: BallotSubject | None = None
    number: int = 0


def sheet_pages(subjects: list[BallotSubject]) -> list[list[list[SheetRow]]]:
    """The ballot's pages, each of columns of rows. Up to PAGE_MAX subjects fit one A4 page
    (front only); more take as many pages as needed, evenly filled, each printed with the
    code. A page has one column, or two halves side by side when it has many subjects; a
    round with both sections gets a heading at each section's start in a column (续 when the
    section began in an earlier column)."""
    numbered = list(enumerate(subjects, start=1))
    page_count = max(1, -(-len(numbered) // PAGE_MAX))
    per_page = -(-len(numbered) // page_count)
    headed = len({subject.section for subject in subjects}) > 1
    pages = []
    for start in range(0, max(len(numbered), 1), per_page or 1):
        part = numbered[start : start + per_page]
        half = -(-len(part) // 2)
        halves = [part] if len(part) <= ONE_COLUMN_MAX else [part[:half], part[half:]]
        pages.append([_column_rows(column, subjects, headed=headed) for column in halves])
    return pages


def _column_rows(
    column: list[tuple[int, BallotSubject]], subjects: list[BallotSubject], *, headed: bool
) -> list[SheetRow]:
    rows: list[SheetRow] = []
    section: Section | None = None
    for number, subject in column:
        if headed and subject.section is not section:
            runs_over = (
                section is None and number > 1 and subjects[number - 2].section is subject.section
            )
            rows.append(SheetRow(heading=subject.section.label + ("（续）" if runs_over else "")))
            section = subject.section
        rows.append(SheetRow(subject=subject, number=number))
    return rows


def _print_page(
    ballot_round: BallotRound,
    codes: list[PrintedCode],
    run: PrintRun,
    *,
    layout: str,
    voided: list[int] | None = None,
) -> Any:
    village = ballot_round.village
    sheets = []
    for printed in codes:
        address = ballot_address(village.code, printed.code)
        assert address is not None  # generate_codes and void_code refused without one
        sheets.append(PrintedSheet(printed.serial, shown(printed.code), address, qr_svg(address)))
    probe = (
        f"{run.base_url}{url_for('ballot.scan_test', village_code=village.code, probe=run.probe)}"
    )
    pages = sheet_pages(reads.subjects(ballot_round.id)) if layout == SHEET else []
    return render_template(
        "branch/round_print.html",
        ballot_round=ballot_round,
        village=village,
        sheets=sheets,
        layout=layout,
        choices=list(Choice),
        pages=pages,
        paper_pages=len(sheets) * len(pages) if layout == SHEET else -(-len(sheets) // 10),
        voided=describe_serials(voided) if voided else None,
        run=run,
        probe=probe,
        probe_qr=qr_svg(probe),
        address=printed_address(),
    )
