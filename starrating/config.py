"""Configuration: defaults, the instance folder's config.py (with the generated SECRET_KEY), env."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from starrating.private_files import private_file, private_folder

# The one upload figure, stated on every upload form, in the templates' notes and in the refusals.
MAX_UPLOAD_MB = 2
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A request carries the file and a few form fields around it: a file just over the figure still
# reaches the upload check (which names the figure); a far bigger request is the 413 page.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 256 * 1024


def defaults(instance_path: str) -> dict[str, Any]:
    sqlite_file = Path(instance_path) / "starrating.sqlite"
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_file}",
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": 3600,
        "RATELIMIT_REDIS_URL": None,
        # Redis down or hung costs a request at most this (connect, then each reply), and after
        # a failure each worker uses the database counters for this long before trying again
        "RATELIMIT_REDIS_TIMEOUT": 0.2,
        "RATELIMIT_REDIS_RETRY_SECONDS": 30,
        "PASSWORD_HASH_PROFILE": "production",
        "TIMEZONE": "Asia/Shanghai",
        "BACKUP_DIR": str(Path(instance_path) / "backups"),
        # printed ballots' and the poster's QR codes lead here (STARRATING_PUBLIC_URL); unset:
        # the address the browser used, only if its host is one of PUBLIC_HOSTS
        # (STARRATING_HOSTS: "name" for any port, or "name:port"); else no QR is printed
        "PUBLIC_BASE_URL": None,
        "PUBLIC_HOSTS": (),
        # reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host to trust; 0:
        # none (the headers could be forged), so per-address limits see the proxy's address
        "TRUSTED_PROXIES": 0,
    }


def from_environment() -> dict[str, Any]:
    """Settings a deployment gives through the environment (see README, Configuration)."""
    config: dict[str, Any] = {}
    if url := os.environ.get("STARRATING_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = url
    if url := os.environ.get("STARRATING_REDIS_URL"):
        config["RATELIMIT_REDIS_URL"] = url
    if os.environ.get("STARRATING_HTTPS") == "1":
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    if url := os.environ.get("STARRATING_PUBLIC_URL"):
        config["PUBLIC_BASE_URL"] = url
    if hosts := os.environ.get("STARRATING_HOSTS"):
        config["PUBLIC_HOSTS"] = tuple(hosts.replace(",", " ").split())
    if path := os.environ.get("STARRATING_BACKUP_DIR"):
        config["BACKUP_DIR"] = path
    if proxies := os.environ.get("STARRATING_PROXIES"):
        config["TRUSTED_PROXIES"] = int(proxies)
    return config


def instance_path() -> str | None:
    """The instance folder (config.py with the SECRET_KEY, the SQLite file, backups):
    STARRATING_INSTANCE, else Flask's default (instance/ beside the code)."""
    folder = os.environ.get("STARRATING_INSTANCE")
    return str(Path(folder).resolve()) if folder else None


def ensure_secret_key(app: Flask) -> None:
    """Write a random SECRET_KEY into instance/config.py the first time the app starts."""
    if app.config.get("SECRET_KEY"):
        return
    config_file = Path(app.instance_path) / "config.py"
    if not config_file.exists() or "SECRET_KEY" not in config_file.read_text("utf-8"):
        private_folder(config_file.parent)
        private_file(config_file)
        with config_file.open("a", encoding="utf-8") as handle:
            handle.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
    app.config.from_pyfile(config_file)


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(from_environment())
    else:
        app.config.from_mapping(test_config)
    if test_config is None:
        private_folder(Path(app.instance_path))
    ensure_secret_key(app)
