"""flask commands: the database, townships and accounts, the demo village, backups."""

import subprocess
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

from starrating.extensions import db
from starrating.models import Township, Village
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.org import create_township, create_user


def register(app: Flask) -> None:
    for command in (init_db, create_township_command, create_user_command, seed_demo, backup):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or upgrade it to the newest schema (safe to run again)."""
    upgrade()
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
@with_appcontext
def seed_demo() -> None:
    """Load the demo township and village (翁家埠村-shaped, invented names); once only."""
    from starrating.demo import DEMO_PASSWORD, seed

    if db.session.scalar(select(Township.id).limit(1)) is not None:
        click.echo("数据库里已有数据，没有再次载入演示数据。")
        return
    logins = seed()
    db.session.commit()
    click.echo(f"演示数据已载入。所有演示账号的密码都是 {DEMO_PASSWORD}")
    for username, label in logins:
        click.echo(f"  {username:<14} {label}")
    click.echo("  村民投票页：http://127.0.0.1:5000/v/wengjiabu/ （输入上面的票码）")


@click.command("backup")
@with_appcontext
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=None)
def backup(folder: Path | None) -> None:
    """Write a consistent copy of the database while the app runs; prints the file's path."""
    folder = folder or Path(current_app.config["BACKUP_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = _backup_sqlite(folder / f"starrating-{stamp}.sqlite")
    else:
        target = _backup_postgresql(url, folder / f"starrating-{stamp}.dump")
    click.echo(str(target))


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
