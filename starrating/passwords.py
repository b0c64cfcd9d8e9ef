"""Password hashing with argon2id (OWASP: Werkzeug's default scrypt parameters are too weak)."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# An alphabet without look-alikes (0 O 1 I l), read aloud or copied from paper without mistakes.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105
GENERATED_LENGTH = 12

_HASHERS = {
    # argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4).
    "production": PasswordHasher(),
    # Tests hash hundreds of passwords; one test pins the production profile's strength.
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["PASSWORD_HASH_PROFILE"]]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_LENGTH))
