"""The course secret: what hidden cases' seeds are mixed with, kept in a file so that every run meets the same cases.

The CLI and the service read the same file (by default `judge-data/secret`), so a
teaching assistant's re-grade, a Gradescope run given the file, and the service
all grade on identical hidden inputs. Reports name the secret by a fingerprint
only: enough to tell two secrets apart, useless for rebuilding the cases.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

_FINGERPRINT_LABEL = b"attention-judge secret fingerprint\x00"


class SecretError(ValueError):
    """A secret file that exists but cannot be used; the message says what to do."""


def fingerprint(secret: str) -> str:
    """A short, one-way name for a secret (12 hex digits of a labelled SHA-256)."""
    return hashlib.sha256(_FINGERPRINT_LABEL + secret.encode()).hexdigest()[:12]


def load_or_create(path: Path) -> tuple[str, bool]:
    """The secret kept in `path`, creating it (mode 0600) the first time; also whether this call created it.

    Creation is atomic and never replaces a secret that another process wrote
    first: two first runs at once agree on one secret.
    """
    created = False
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)
            created = True
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{path}: cannot read the course secret ({exc})") from exc
    if not secret:
        raise SecretError(f"{path} is empty: delete it to generate a new secret, or set JUDGE_SECRET")
    return secret, created


__all__ = ["SecretError", "fingerprint", "load_or_create"]
