"""Files only the app's own user may read: the instance folder (SECRET_KEY), the SQLite database
and its -wal/-shm (password hashes, phones, birth dates), backups and the backed-up key.

Each is created with its private mode from the start, never created and then narrowed, and an
existing one the app owns is narrowed when the app starts (installs from before this was so).
SQLite gives a new -wal or -shm file the mode of its database file, so creating the database
file 0600 before the first connection covers them too.
"""

import logging
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create the folder (and its parents) if missing; only its owner may enter it."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _narrow(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty if missing (never truncating one that exists); only its owner may
    read or write it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    _narrow(path, FILE_MODE)
    return path


def narrow_if_present(path: Path) -> None:
    """An existing file (a database's -wal or -shm) becomes private; a missing one is left."""
    if path.exists():
        _narrow(path, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    status = path.stat()
    # Only what this user owns: another owner's file is not ours to change (chmod would fail).
    if status.st_uid == os.getuid() and status.st_mode & 0o777 != mode:
        try:
            path.chmod(mode)
        except PermissionError:  # a file system without modes (a FAT backup stick)
            logging.getLogger(__name__).warning("cannot make %s private (mode %o)", path, mode)
