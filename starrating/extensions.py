"""The Flask extensions, created unbound and bound to the app by create_app.

This module imports nothing of starrating's own: the models import db from here, and the
wiring that needs the models (the user loader) is done by the app factory.
"""

from pathlib import Path

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS = Path(__file__).parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Text responses go out gzip- or brotli-compressed: a village phone on a slow mobile link
# loads the 65-subject ballot as ~2.5 KB (gzip) instead of ~56 KB (issue 13), even without
# a proxy in front.
compress = Compress()
