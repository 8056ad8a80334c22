"""The web page's sign-in: a token exchanged for a signed, HttpOnly, SameSite=Strict session cookie, and CSRF.

The cookie carries the account's name and an expiry, signed with a key derived
from the course secret and bound to the account's token hash: revoking (or
replacing) the token ends every session made from it, and any API host that
shares the secret accepts it, with no session table. The token itself is never
stored in the browser.

Every form carries a CSRF token: an HMAC of a random per-browser cookie
(double submit, signed), checked on every POST together with the Origin header.
SameSite=Strict already keeps the session cookie off cross-site requests; the
token is the second lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request, Response, status

from api.admission import FORM_FIELDS, read_capped
from api.deps import Settings, StoreDep
from api.store import Account

SESSION_COOKIE = "judge_session"
CSRF_COOKIE = "judge_csrf"
CSRF_FIELD = "csrf"
MAX_COOKIE = 1024  # a longer cookie is not one of ours
SMALL_FORM_BYTES = 4096  # sign-in, sign-out and re-grade forms: a token, a CSRF token and a path


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"attention-judge web {purpose}".encode(), hashlib.sha256).digest()


def _sign(key: bytes, message: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_session(secret: str, account: Account, lifetime_s: float, now: float | None = None) -> str:
    """The cookie value for `account`, valid for `lifetime_s`."""
    payload = _b64(json.dumps({"n": account.name, "e": int((now or time.time()) + lifetime_s)}).encode())
    return f"{payload}.{_sign(_key(secret, 'session'), (payload + account.token_sha256).encode())}"


def session_name(value: str, now: float | None = None) -> str | None:
    """The account name a cookie claims, if it is well formed and unexpired (not yet verified)."""
    if not value or len(value) > MAX_COOKIE or value.count(".") != 1:
        return None
    payload = value.split(".")[0]
    try:
        claims: Any = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("n"), str) or not isinstance(claims.get("e"), int):
        return None
    return claims["n"] if claims["e"] > (now or time.time()) else None


def session_valid(secret: str, value: str, account: Account) -> bool:
    """Whether `value` was signed for `account` with its current token."""
    payload, _, signature = value.partition(".")
    expected = _sign(_key(secret, "session"), (payload + account.token_sha256).encode())
    return hmac.compare_digest(signature, expected)


def set_session(response: Response, request: Request, value: str, lifetime_s: float) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=int(lifetime_s), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def current_account(request: Request, settings: Settings, store: StoreDep) -> Account | None:
    """The signed-in account, or None (no cookie, expired, tampered with, or its token revoked)."""
    value = request.cookies.get(SESSION_COOKIE, "")
    name = session_name(value)
    if name is None:
        return None
    account = store.account_named(name)
    if account is None or not session_valid(settings.grading_secret(), value, account):
        return None
    return account


Viewer = Annotated[Account | None, Depends(current_account)]


# CSRF ----------------------------------------------------------------------------------------------

def csrf_seed(request: Request) -> tuple[str, bool]:
    """This browser's CSRF cookie, and whether it is new (then the response must set it)."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(seed) <= 100 and seed.isascii():
        return seed, False
    return secrets.token_urlsafe(32), True


def csrf_token(secret: str, seed: str) -> str:
    """The token a form carries for a browser whose CSRF cookie is `seed`."""
    return _sign(_key(secret, "csrf"), seed.encode())


def set_csrf_cookie(response: Response, request: Request, seed: str) -> None:
    response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")


def _same_origin(request: Request) -> bool:
    """A browser's POST names where it comes from; one from another site is refused whatever it carries."""
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """A urlencoded form POST, read under `limit` bytes (413 beyond), one value per field."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "expected a form")
    body = await read_capped(request, limit)
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=FORM_FIELDS, encoding="utf-8", errors="strict")
    except (UnicodeError, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the form is malformed") from exc
    return dict(pairs)


def check_csrf(request: Request, form: dict[str, str], secret: str) -> None:
    """403 unless a form POST comes from this site with the token for this browser's CSRF cookie."""
    sent = form.get(CSRF_FIELD, "")
    seed = request.cookies.get(CSRF_COOKIE, "")
    if not (_same_origin(request) and seed and hmac.compare_digest(sent.encode(), csrf_token(secret, seed).encode())):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "this form has expired or did not come from this site; reload the page and try again")
