"""The flask commands: townships and accounts, the demo village, backups and their restore."""

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from starrating import create_app
from starrating.extensions import db
from starrating.models import Member, Township, User, Village
from starrating.rules.vocabulary import Role
from tests.conftest import BACKEND, base_config, close_app


def test_create_township_makes_its_reviewer_with_a_printed_password(runner):
    result = runner.invoke(args=["create-township", "白沙滩镇", "--reviewer", "bst-shenhe"])
    assert result.exit_code == 0, result.output
    reviewer = db.session.scalar(select(User).where(User.username == "bst-shenhe"))
    assert reviewer.role is Role.TOWNSHIP and reviewer.township.name == "白沙滩镇"
    assert "初始密码" in result.output and reviewer.must_change_password


def test_create_township_refuses_a_duplicate_in_chinese(runner):
    runner.invoke(args=["create-township", "白沙滩镇", "--reviewer", "a-shenhe"])
    result = runner.invoke(args=["create-township", "白沙滩镇", "--reviewer", "b-shenhe"])
    assert result.exit_code != 0 and "已存在" in result.output
    assert db.session.scalar(select(User).where(User.username == "b-shenhe")) is None


def test_create_user_for_a_village(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "new-cadre",
            "--name",
            "新干部",
            "--role",
            "cadre",
            "--village",
            "wengjiabu",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "new-cadre"))
    assert user.village.name == "翁家埠村"
    unknown = runner.invoke(
        args=["create-user", "--username", "x-user", "--role", "cadre", "--village", "nowhere"]
    )
    assert unknown.exit_code != 0 and "没有村代码为 nowhere 的村" in unknown.output


def test_seed_demo_builds_a_village_shaped_like_wengjiabu(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    village = db.session.scalar(select(Village).where(Village.name == "翁家埠村"))
    members = db.session.scalar(
        select(func.count(Member.id)).where(Member.village_id == village.id)
    )
    roles = dict(
        db.session.execute(
            select(User.role, func.count(User.id))
            .where(User.village_id == village.id)
            .group_by(User.role)
        ).all()
    )
    assert members == 58
    assert roles == {
        Role.SECRETARY: 1,
        Role.COMMITTEE: 5,
        Role.TELLER: 1,
        Role.CADRE: 7,
        Role.SUPERVISOR: 3,
    }
    names = db.session.scalars(select(Member.name).where(Member.village_id == village.id)).all()
    assert len(set(names)) < 58  # namesakes, as real villages have
    # its 村务监督委员会: three members, 孙志强 the chair, established; no 村委会 member on it
    from starrating.services.supervision import has_supervisors, seat_problems, seats

    assert [(s.user.display_name, s.is_chair) for s in seats(village.id)] == [
        ("孙志强", True),
        ("姜桂兰", False),
        ("林春生", False),
    ]
    assert has_supervisors(village.id) and seat_problems(village.id) == {}
    # the 2026 ten-star year is under way: the scheme frozen, four raters done, one a third in
    from starrating.models import AssessmentYear, StarMark

    year = db.session.scalar(select(AssessmentYear).where(AssessmentYear.village_id == village.id))
    assert year.year == 2026 and year.scheme.frozen
    marks = db.session.scalar(select(func.count(StarMark.id)).where(StarMark.year_id == year.id))
    markable = 58 - 2  # two 免评
    assert marks == 8 * (4 * markable + markable // 3)
    again = runner.invoke(args=["seed-demo"])
    assert "没有再次载入" in again.output
    assert "bin/demo --reset" in again.output  # the codes cannot be shown again: how to start over
    assert db.session.scalar(select(func.count(Township.id))) == 1


def test_seed_demo_prints_the_villagers_page_at_the_address_it_is_served_on(runner):
    result = runner.invoke(args=["seed-demo", "--address", "http://192.168.1.20:8080/"])
    assert result.exit_code == 0, result.output
    assert "http://192.168.1.20:8080/v/wengjiabu/" in result.output
    assert ":5000" not in result.output


def test_seed_demo_puts_the_other_villages_at_every_stage_of_the_review(runner):
    from starrating.models import AssessmentYear, Objection
    from starrating.rules.answer_deadline import days_overdue

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    stages = dict(
        db.session.execute(
            select(Village.name, AssessmentYear.state).join(
                AssessmentYear, AssessmentYear.village_id == Village.id, isouter=True
            )
        ).all()
    )
    assert {name: state and state.label for name, state in stages.items()} == {
        "翁家埠村": "评分中",
        "南黄庄村": None,
        "东沙村": "公示中",
        "西岙村": "已报乡镇",
        "北塘村": "已审核通过",
        "前洋村": "已退回",
    }
    unanswered = db.session.execute(
        select(Village.name, Objection.filed_at)
        .join(Objection)
        .where(Objection.answered_at.is_(None))
    ).all()
    # 东沙村's waits in time; 前洋村's came in after submission and is past the scheme's 10 days
    china = ZoneInfo("Asia/Shanghai")
    today = datetime.now(china).date()
    late = {
        name: days_overdue(
            filed_on=filed_at.astimezone(china).date(), days=10, today=today, answered=False
        )
        for name, filed_at in unanswered
    }
    assert late == {"东沙村": 0, "前洋村": 5}
    for username in ("dongsha-shuji", "xiao-shuji", "beitang-shuji", "qianyang-shuji"):
        assert username in result.output


def test_seed_demo_dates_every_step_on_a_day_that_agrees_with_its_publicity(runner):
    """西岙村 was shown as published on the day the demo was loaded, with publicity ending 12
    days earlier: each step is now recorded on its own day, in order."""
    from zoneinfo import ZoneInfo

    from starrating.models import AssessmentYear, YearReview
    from starrating.queries.versions import versions_of
    from starrating.rules.assessment_state import Step, publicity_end
    from starrating.rules.result_versions import Part

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    china = ZoneInfo("Asia/Shanghai")
    years = db.session.scalars(
        select(AssessmentYear).where(AssessmentYear.published_on.is_not(None))
    ).all()
    assert len(years) == 4
    corrected: list[str] = []
    for year in years:
        days = year.scheme.tenstar.publicity_days
        assert year.publicity_ends_on == publicity_end(year.published_on, days)
        assert year.publicity_ends_on > year.published_on
        closed = year.marking_closed_at.astimezone(china).date()
        published = sorted(
            v.published_on for v in versions_of(year.id, Part.TENSTAR) if v.published
        )
        if len(published) == 1:
            assert closed < year.published_on
        else:  # corrected during publicity: marking closed again before the correction
            corrected.append(year.village.name)
            assert published[0] == year.published_on < closed <= published[-1]
        steps = db.session.scalars(
            select(YearReview).where(YearReview.year_id == year.id).order_by(YearReview.id)
        ).all()
        on = {step.step: step.at.astimezone(china).date() for step in steps}
        assert on[Step.PUBLISH] == year.published_on, year.village.name
        if Step.SUBMIT in on:
            assert on[Step.SUBMIT] > year.publicity_ends_on
            assert year.submitted_at.astimezone(china).date() == on[Step.SUBMIT]
        decided = on.get(Step.APPROVE) or on.get(Step.RETURN)
        if decided:
            assert decided > on[Step.SUBMIT]
    assert len(corrected) == 1  # the village in publicity shows a correction on its board


# --- backup and restore, on a real database with real commits ------------------------------


def _app_on(url: str, backup_dir: Path):
    return create_app(base_config(url, BACKUP_DIR=str(backup_dir)))


def _add_villages(url: str, count: int, prefix: str) -> None:
    app = _app_on(url, Path("/nonexistent"))
    with app.app_context():
        from starrating.services.org import create_township

        for i in range(count):
            create_township(name=f"{prefix}{i}")
            db.session.commit()
    close_app(app)


def _township_names(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = set(connection.execute(text("SELECT name FROM township")).scalars())
    engine.dispose()
    return names


def _backed_up(app) -> tuple[Path, Path, str]:
    """Run `flask backup`: the data file, the key file, and what it said."""
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    data, key = (Path(line) for line in result.output.strip().splitlines()[:2])
    return data, key, result.output


def test_backup_while_writing_then_restore_gives_a_consistent_database(
    databases, tmp_path, monkeypatch
):
    url = databases.new()
    _add_villages(url, 5, "备份前")
    app = _app_on(url, tmp_path / "backups")
    writer = threading.Thread(target=_add_villages, args=(url, 20, "备份中"))
    writer.start()
    backup_file, key_file, _ = _backed_up(app)
    writer.join()
    assert backup_file.parent == tmp_path / "backups" and backup_file.stat().st_size > 0
    close_app(app)

    instance = _restore(backup_file, key_file, databases, tmp_path, monkeypatch)
    restored_app = create_app()
    restored_url = restored_app.config["SQLALCHEMY_DATABASE_URI"]
    restored = _township_names(restored_url)
    assert {f"备份前{i}" for i in range(5)} <= restored
    # the writer's rows are in or out whole, in the order they were committed
    during = sorted(int(n.removeprefix("备份中")) for n in restored if n.startswith("备份中"))
    assert during == list(range(len(during)))
    assert Path(restored_app.instance_path) == instance
    with restored_app.app_context():  # the app opens it and reads it
        assert db.session.scalar(select(func.count(Township.id))) == len(restored)
    close_app(restored_app)


APP_SETTINGS = (
    "STARRATING_DATABASE_URL",
    "STARRATING_REDIS_URL",
    "STARRATING_PUBLIC_URL",
    "STARRATING_HOSTS",
    "STARRATING_BACKUP_DIR",
    "STARRATING_PROXIES",
    "STARRATING_HTTPS",
)


def _new_server(tmp_path: Path, monkeypatch) -> Path:
    """Another machine: an instance folder with nothing in it (no config.py, no SECRET_KEY)."""
    instance = tmp_path / "new-server" / "instance"
    monkeypatch.setenv("STARRATING_INSTANCE", str(instance))
    for name in APP_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return instance


def _flask(*args: str) -> str:
    """`flask --app starrating …` as the administrator types it (the environment as set)."""
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "starrating", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def _restore_data(backup_file: Path, databases, tmp_path: Path, monkeypatch) -> Path:
    """Steps 1–4 of the restore in docs/OPERATIONS.md, into a fresh instance folder."""
    instance = _new_server(tmp_path, monkeypatch)
    if BACKEND == "sqlite":
        instance.mkdir(parents=True, mode=0o700)
        target = instance / "starrating.sqlite"
        subprocess.run(["install", "-m", "600", str(backup_file), str(target)], check=True)
        with sqlite3.connect(target) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return instance
    url = databases.new(migrate=False)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={plain}", str(backup_file)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("STARRATING_DATABASE_URL", url)
    return instance


def _restore(backup_file: Path, key_file: Path, databases, tmp_path: Path, monkeypatch) -> Path:
    """The whole restore documented in docs/OPERATIONS.md: the data, then the key, then init-db."""
    instance = _restore_data(backup_file, databases, tmp_path, monkeypatch)
    _flask("restore-key", str(key_file))
    _flask("init-db")
    return instance


def _printed_codes(app, count: int) -> tuple[str, list[str]]:
    """A village whose member ballot is open, with count codes printed: its code, the codes."""
    from starrating.services.ballots import generate_codes, open_round
    from tests.factories import (
        create_member,
        create_member_round,
        create_user,
        create_village,
        open_assessment,
    )

    with app.app_context():
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        create_member(village=village, name="王建国")
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_member_round(village=village, secretary=secretary)
        ballot_round.title = "2026 年度党员民主测评"
        codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=count)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        return village.code, [printed.code for printed in codes]


def _vote(app, village_code: str, code: str) -> str:
    """A villager scans the printed QR and votes 满意 on every row; the page they end on."""
    from starrating.rules.tokens import shown

    client = app.test_client()
    page = client.get(f"/v/{village_code}/t/{shown(code)}", follow_redirects=True)
    html = page.get_data(as_text=True)
    subjects = set(re.findall(r'name="(s-\d+)"', html))
    if not subjects:
        return html
    fields = dict.fromkeys(subjects, "satisfied")
    if token := re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html):
        fields["csrf_token"] = token.group(1)
    answer = client.post(f"/v/{village_code}/ballot", data=fields, follow_redirects=True)
    return answer.get_data(as_text=True)


def test_a_restore_on_a_new_server_keeps_every_unused_printed_code_voting(
    databases, tmp_path, monkeypatch
):
    """Codes are stored as HMACs keyed with SECRET_KEY: the backup carries the key in its own
    file, and the documented restore puts it back, so a sheet printed before still votes."""
    url = databases.new()
    app = _app_on(url, tmp_path / "backups")
    village_code, codes = _printed_codes(app, 3)
    assert "回执码" in _vote(app, village_code, codes[0])
    backup_file, key_file, said = _backed_up(app)
    assert "正在投票" in said  # the round is open: the backup says what a restore would reopen
    assert "test-secret-key" not in backup_file.read_bytes().decode("latin-1")
    close_app(app)

    instance = _restore_data(backup_file, databases, tmp_path, monkeypatch)
    without_key = create_app()  # the data alone: a new random key, every code is wrong
    assert "票码不对" in _vote(without_key, village_code, codes[1])
    close_app(without_key)

    _flask("restore-key", str(key_file))
    _flask("init-db")
    restored = create_app()
    assert Path(restored.instance_path) == instance
    assert "回执码" in _vote(restored, village_code, codes[1])
    assert "已投票" in _vote(restored, village_code, codes[0])  # used before the backup: stays used
    close_app(restored)


@pytest.mark.sqlite_only
def test_sqlite_backup_is_a_single_self_contained_file(databases, tmp_path):
    url = databases.new()
    app = _app_on(url, tmp_path)
    backup_file, _, _ = _backed_up(app)
    assert not Path(f"{backup_file}-wal").exists()
    with sqlite3.connect(backup_file) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    close_app(app)


def test_backups_and_their_key_are_private_and_named_in_china_time(
    databases, tmp_path, monkeypatch
):
    """The server's clock zone is New York here: the file name still says China's time."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    previous = os.umask(0o022)  # the usual umask: files 0644 unless the app says otherwise
    try:
        app = _app_on(databases.new(), tmp_path / "backups")
        backup_file, key_file, _ = _backed_up(app)
        close_app(app)
    finally:
        os.umask(previous)
        monkeypatch.undo()
        time.tzset()
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.name == backup_file.with_suffix(".key").name
    stamp = datetime.strptime(backup_file.name.split("-", 1)[1].split(".")[0], "%Y%m%d-%H%M%S")
    china_now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(china_now - stamp) < timedelta(minutes=2)
