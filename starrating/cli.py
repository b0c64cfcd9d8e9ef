"""flask commands: the database, townships and accounts, the demo village, backups."""

import ast
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

from starrating.extensions import db
from starrating.models import BallotRound, Township, Village
from starrating.private_files import private_file, private_folder
from starrating.rules.electorate import RoundState
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import create_township, create_user
from starrating.services.versions import backfill_versions


def register(app: Flask) -> None:
    for command in (
        init_db,
        create_township_command,
        create_user_command,
        seed_demo,
        backup,
        restore_key,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or upgrade it to the newest schema (safe to run again), then run
    the data steps of the migrations that need the rules (services/versions.backfill_versions)."""
    upgrade()
    stored = backfill_versions()
    db.session.commit()
    if stored:
        click.echo(f"已为升级前公示的年度补存 {stored} 个结果版本。")
    click.echo("数据库已是最新结构。")


def _fail(error: ServiceError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@click.command("create-township")
@with_appcontext
@click.argument("name")
@click.option("--reviewer", "username", required=True, help="the reviewer's login name")
@click.option("--reviewer-name", "display_name", default="", help="the reviewer's real name")
def create_township_command(name: str, username: str, display_name: str) -> None:
    """Create a township and its reviewer account; prints the reviewer's initial password."""
    try:
        township = create_township(name=name)
        user, password = create_user(
            actor=None,
            username=username,
            display_name=display_name or username,
            role=Role.TOWNSHIP,
            township=township,
        )
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"已创建乡镇「{township.name}」。审核人账号 {user.username}，初始密码 {password}")


@click.command("create-user")
@with_appcontext
@click.option("--username", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--township", "township_name", help="for a township reviewer")
@click.option("--village", "village_code", help="village code, for a village account")
def create_user_command(
    username: str, display_name: str, role: str, township_name: str | None, village_code: str | None
) -> None:
    """Create an account; prints its initial password (to be changed at first login)."""
    township = village = None
    if village_code:
        village = db.session.scalar(select(Village).where(Village.code == village_code))
        if village is None:
            raise click.ClickException(f"没有村代码为 {village_code} 的村")
    elif township_name:
        township = db.session.scalar(select(Township).where(Township.name == township_name))
        if township is None:
            raise click.ClickException(f"没有名为「{township_name}」的乡镇")
    try:
        user, password = create_user(
            actor=None,
            username=username,
            display_name=display_name or username,
            role=Role(role),
            township=township,
            village=village,
        )
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"已创建{user.role.label}账号 {user.username}，初始密码 {password}")


@click.command("seed-demo")
@click.option(
    "--address",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="The address the app is served on, for the villagers' page printed at the end.",
)
@with_appcontext
def seed_demo(address: str) -> None:
    """Load the demo township and village (翁家埠村-shaped, invented names); once only."""
    from starrating.demo import DEMO_PASSWORD, seed

    if db.session.scalar(select(Township.id).limit(1)) is not None:
        # the trial codes are stored only as keyed hashes: they cannot be shown again
        click.echo(
            "数据库里已有数据，没有再次载入演示数据。试投票码只在第一次载入时显示；"
            "要重新开始（旧数据库改名保留）并得到新的票码，运行 bin/demo --reset。"
        )
        return
    logins = seed()
    db.session.commit()
    click.echo(f"演示数据已载入。所有演示账号的密码都是 {DEMO_PASSWORD}")
    for username, label in logins:
        click.echo(f"  {username:<14} {label}")
    click.echo(f"  村民投票页：{address.rstrip('/')}/v/wengjiabu/ （输入上面的票码）")


@click.command("backup")
@with_appcontext
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=None)
def backup(folder: Path | None) -> None:
    """Write a consistent copy of the database while the app runs, and the SECRET_KEY beside
    it in a .key file (store that apart from the data); prints both files' paths."""
    folder = private_folder(folder or Path(current_app.config["BACKUP_DIR"]))
    # China time, like every other date of the app, whatever the server's clock zone
    stamp = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%Y%m%d-%H%M%S")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = _backup_sqlite(private_file(folder / f"starrating-{stamp}.sqlite"))
    else:
        target = _backup_postgresql(url, private_file(folder / f"starrating-{stamp}.dump"))
    key_file = _write_key(folder / f"starrating-{stamp}.key", target)
    click.echo(str(target))
    click.echo(str(key_file))
    _warn_of_open_rounds()


def _write_key(path: Path, data: Path) -> Path:
    """The printed ballot codes are stored as HMACs keyed with SECRET_KEY (rules/tokens.py):
    a restore without the key turns every unused code into 票码不对, so it travels with the
    backup, in its own private file."""
    private_file(path)
    path.write_text(
        f"# starrating SECRET_KEY for {data.name}: keep it apart from the data backups;\n"
        "# restore: flask --app starrating restore-key <this file>\n"
        f"SECRET_KEY = {current_app.config['SECRET_KEY']!r}\n",
        encoding="utf-8",
    )
    return path


def _warn_of_open_rounds() -> None:
    open_rounds = db.session.scalars(
        select(BallotRound.title).where(BallotRound.state == RoundState.OPEN)
    ).all()
    if open_rounds:
        click.echo(
            f"注意：备份时有 {len(open_rounds)} 轮测评正在投票（{'、'.join(open_rounds)}）。"
            "恢复这个备份会让备份之后投过票的票码重新可用，那些选票也会丢失；"
            "恢复前请读 docs/OPERATIONS.md「投票期间的备份」。",
            err=True,
        )


@click.command("restore-key")
@with_appcontext
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_key(key_file: Path) -> None:
    """Put the SECRET_KEY of a backup's .key file into instance/config.py (replacing the key
    there, keeping every other setting), so that unused printed codes vote again."""
    key = _read_key(key_file)
    config_file = private_file(Path(current_app.instance_path) / "config.py")
    kept = [
        line
        for line in config_file.read_text("utf-8").splitlines()
        if not line.replace(" ", "").startswith("SECRET_KEY=")
    ]
    config_file.write_text("\n".join([*kept, f"SECRET_KEY = {key!r}"]) + "\n", "utf-8")
    click.echo(f"已把 {key_file.name} 中的密钥写入 {config_file}；请重新启动应用。")


def _read_key(key_file: Path) -> str:
    for line in key_file.read_text("utf-8").splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "SECRET_KEY":
            key = ast.literal_eval(value.strip())
            if isinstance(key, str) and key:
                return key
    raise click.ClickException(f"{key_file} 里没有 SECRET_KEY，不是 flask backup 写的密钥文件")


def _backup_sqlite(target: Path) -> Path:
    """VACUUM INTO writes a consistent snapshot even while other processes write."""
    import sqlite3

    raw = db.engine.raw_connection()  # autocommit: VACUUM cannot run inside a transaction
    try:
        raw.driver_connection.execute("VACUUM INTO ?", (str(target),))  # type: ignore[union-attr]
    finally:
        raw.close()
    check = sqlite3.connect(target)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise click.ClickException(f"备份文件校验失败：{result}")
    return target


def _backup_postgresql(url: object, target: Path) -> Path:
    from sqlalchemy.engine import URL

    assert isinstance(url, URL)
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={target}",
        url.set(drivername="postgresql").render_as_string(hide_password=False),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise click.ClickException(f"pg_dump 失败：{completed.stderr.strip()}")
    return target
