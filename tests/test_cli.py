"""The flask commands: townships and accounts, the demo village, backups and their restore."""

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

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
    assert roles == {Role.SECRETARY: 1, Role.COMMITTEE: 5, Role.TELLER: 1, Role.CADRE: 7}
    names = db.session.scalars(select(Member.name).where(Member.village_id == village.id)).all()
    assert len(set(names)) < 58  # namesakes, as real villages have
    # the 2026 ten-star year is under way: the scheme frozen, four raters done, one a third in
    from starrating.models import AssessmentYear, StarMark

    year = db.session.scalar(select(AssessmentYear).where(AssessmentYear.village_id == village.id))
    assert year.year == 2026 and year.scheme.frozen
    marks = db.session.scalar(select(func.count(StarMark.id)).where(StarMark.year_id == year.id))
    markable = 58 - 2  # two 免评
    assert marks == 8 * (4 * markable + markable // 3)
    again = runner.invoke(args=["seed-demo"])
    assert "没有再次载入" in again.output
    assert db.session.scalar(select(func.count(Township.id))) == 1


def test_seed_demo_puts_the_other_villages_at_every_stage_of_the_review(runner):
    from starrating.models import AssessmentYear, Objection

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
    unanswered = db.session.scalars(
        select(Village.name).join(Objection).where(Objection.answered_at.is_(None))
    ).all()
    assert unanswered == ["东沙村"]
    for username in ("dongsha-shuji", "xiao-shuji", "beitang-shuji", "qianyang-shuji"):
        assert username in result.output


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


def test_backup_while_writing_then_restore_gives_a_consistent_database(databases, tmp_path):
    url = databases.new()
    _add_villages(url, 5, "备份前")
    app = _app_on(url, tmp_path / "backups")
    writer = threading.Thread(target=_add_villages, args=(url, 20, "备份中"))
    writer.start()
    result = app.test_cli_runner().invoke(args=["backup"])
    writer.join()
    assert result.exit_code == 0, result.output
    backup_file = Path(result.output.strip().splitlines()[-1])
    assert backup_file.parent == tmp_path / "backups" and backup_file.stat().st_size > 0
    close_app(app)

    restored_url = _restore(backup_file, databases, tmp_path)
    restored = _township_names(restored_url)
    assert {f"备份前{i}" for i in range(5)} <= restored
    # the writer's rows are in or out whole, in the order they were committed
    during = sorted(int(n.removeprefix("备份中")) for n in restored if n.startswith("备份中"))
    assert during == list(range(len(during)))
    restored_app = _app_on(restored_url, tmp_path)
    with restored_app.app_context():  # the app opens it and reads it
        assert db.session.scalar(select(func.count(Township.id))) == len(restored)
    close_app(restored_app)


def _restore(backup_file: Path, databases, tmp_path: Path) -> str:
    """The restore documented in docs/OPERATIONS.md."""
    if BACKEND == "sqlite":
        target = tmp_path / "restored" / "starrating.sqlite"
        target.parent.mkdir()
        shutil.copyfile(backup_file, target)
        with sqlite3.connect(target) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return f"sqlite:///{target}"
    url = databases.new(migrate=False)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={plain}", str(backup_file)],
        check=True,
        capture_output=True,
    )
    return url


@pytest.mark.sqlite_only
def test_sqlite_backup_is_a_single_self_contained_file(databases, tmp_path):
    url = databases.new()
    app = _app_on(url, tmp_path)
    result = app.test_cli_runner().invoke(args=["backup"])
    backup_file = Path(result.output.strip())
    assert not Path(f"{backup_file}-wal").exists()
    with sqlite3.connect(backup_file) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    close_app(app)
