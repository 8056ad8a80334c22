"""`judge submit`: send one file to a running judge service and print its report, for students at a terminal.

The service grades; this command only speaks its HTTP API with the standard
library (urllib: no dependency beyond the core's), waits for the verdict and
then for the speed comparison, and prints the report `judge run` prints,
rebuilt from the answer's JSON. Where to send it and the token come from the
flags, else JUDGE_SERVER / JUDGE_TOKEN, else a config file.

Exit codes: 0 Accepted, 1 graded but not Accepted, 2 a usage error (as for
`judge run`: no token, a bad file, and what the judge refuses in what was given:
the token, an unknown problem, the code), 3 the judge cannot be reached, is
busy or cannot grade now (trying again later may help).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.status import Status

from judge import report
from judge.settings import JudgeSettings
from judge.usage import UsageError
from judge.verdicts import GradeResult, Verdict

DEFAULT_SERVER = "http://127.0.0.1:8000"
MAX_FILE_BYTES = 1 << 20  # the service's own cap is lower (JUDGE_MAX_CODE_BYTES); this stops a wrong file early
DEFAULT_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 30.0  # one GET; the service answers those at once
HELD_POST_S = 75.0  # a ?wait=true POST may be held for the service's JUDGE_WAIT_TIMEOUT_S (60 s by default)
FIRST_POLL_S = 0.25
LONGEST_POLL_S = 2.0
EXIT_SERVICE = 3
TIMING_UNDER_WAY = ("pending", "running")


class ServiceError(Exception):
    """The judge cannot be reached, is busy, or cannot grade now; one line, exit code 3."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # from a 429's Retry-After header, for --retry


@dataclass(frozen=True)
class Connection:
    """Where submissions go and as whom: resolved once from the flags, the environment and the config file."""

    server: str  # base URL without a trailing slash, http or https
    token: str
    token_from: str  # where the token was found, named in the error when the judge refuses it


def config_path(env: Mapping[str, str]) -> Path:
    """The config file: $XDG_CONFIG_HOME/attention-judge/config.toml, by default under ~/.config."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "attention-judge" / "config.toml"


def read_config(path: Path) -> dict[str, str]:
    """The config file's `server` and `token` (empty when there is no file); warns when others may read it."""
    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror}") from exc
    try:
        values = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a valid TOML file: {exc}") from exc
    found: dict[str, str] = {key: values[key] for key in ("server", "token") if key in values}
    for key, value in found.items():
        if not isinstance(value, str):
            raise UsageError(f"{path}: {key} must be a string, e.g. {key} = \"...\"")
    if "token" in found and mode & 0o077:  # as ssh does for a private key: a token is a password
        print(f"judge: warning: {path} holds your token and other users may open it (mode {mode & 0o777:o}); "
              f"run: chmod 600 {path}", file=sys.stderr)
    return found


def connection(server_flag: str | None, token_flag: str | None, env: Mapping[str, str]) -> Connection:
    """The server and token: each from its flag, else JUDGE_SERVER / JUDGE_TOKEN, else the config file."""
    path = config_path(env)
    server = server_flag or env.get("JUDGE_SERVER")
    token, token_from = (token_flag, "--token") if token_flag else (env.get("JUDGE_TOKEN"), "JUDGE_TOKEN")
    if not server or not token:  # the file is read only when needed: its permission warning is then relevant
        saved = read_config(path)
        server = server or saved.get("server")
        if not token:
            token, token_from = saved.get("token"), str(path)
    if not token:
        raise UsageError(f"no token: give --token, set JUDGE_TOKEN, or put token = \"...\" in {path}")
    return Connection(_checked_url(server or DEFAULT_SERVER), token, token_from)


def _checked_url(server: str) -> str:
    parsed = urllib.parse.urlsplit(server)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:  # urllib would also open file:// URLs
        raise UsageError(f"the server {server!r} is not an http:// or https:// address")
    return server.rstrip("/")


def read_code(path: Path) -> str:
    """The file's text, or a usage error: missing, a folder, over MAX_FILE_BYTES, or not UTF-8."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UsageError(f"{path}: a folder; give the .py file to submit")
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{path}: {size} bytes, over the {MAX_FILE_BYTES // 1024} KiB a submission may be")
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror}") from exc


# --- HTTP ------------------------------------------------------------------------------------


def call(conn: Connection, method: str, path: str, payload: Any = None,
         timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, dict[str, Any]]:
    """One request to the service: its status and JSON object; a refusal or a failure raises, in one line."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    headers = {"Authorization": f"Bearer {conn.token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    # S310 (twice): the scheme is checked, http or https only, when the connection is resolved
    request = urllib.request.Request(conn.server + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        raise refusal(conn, exc.code, _read_error(exc), exc.headers) from exc
    except urllib.error.URLError as exc:  # refused, no such host, TLS: before any answer
        raise ServiceError(f"cannot reach the judge at {conn.server}: {_one_line(str(exc.reason))}") from exc
    except TimeoutError as exc:
        raise ServiceError(f"the judge at {conn.server} did not answer within {timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:  # a dropped connection, or something that is not HTTP
        raise ServiceError(f"the connection to the judge at {conn.server} failed: {_one_line(repr(exc))}") from exc
    return status, _json_object(conn, raw)


def _read_error(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except OSError:
        return b""


def _json_object(conn: Connection, raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ServiceError(f"{conn.server} answered with something other than the judge's JSON: "
                           f"{_one_line(raw[:120].decode('utf-8', 'replace'))!r}")
    return body


def refusal(conn: Connection, status: int, raw: bytes, headers: Message) -> Exception:
    """The error for an HTTP error answer: a UsageError (exit 2) for what was given, else a ServiceError (exit 3)."""
    detail = _detail(raw)
    wait = _retry_after(headers)
    later = f"; try again in {wait:g} s" if wait is not None else ""
    if status == 401:
        return UsageError(f"the judge at {conn.server} does not accept the token from {conn.token_from}: "
                          "check it, or ask for a new one")
    if status == 404 and detail == "Not Found":  # no route at all: the address is not the judge's
        return UsageError(f"{conn.server} has no judge API (404 Not Found): check the server's address")
    if status in (404, 413, 422):
        return UsageError(detail)
    if status == 429:
        return ServiceError(detail + later, retry_after=wait)
    if status == 503:
        return ServiceError(f"the judge cannot take code now: {detail}{later}")
    return ServiceError(f"the judge at {conn.server} answered HTTP {status}: {detail}")


def _detail(raw: bytes) -> str:
    """The service's `detail` in one line: its sentence, or a 422's field errors joined."""
    try:
        detail = json.loads(raw).get("detail")
    except (ValueError, AttributeError):
        detail = raw[:200].decode("utf-8", "replace") or "no detail"
    if isinstance(detail, list):
        detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg', e)}" if isinstance(e, dict)
                           else str(e) for e in detail)
    return _one_line(str(detail))


def _retry_after(headers: Message) -> float | None:
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:  # absent, or an HTTP date: none of the judge's answers use one
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the submission --------------------------------------------------------------------------


def post(conn: Connection, payload: dict[str, Any], deadline: float, retry: bool) -> dict[str, Any]:
    """POST /submissions?wait=true: the result (200) or where it stands (202); with `retry`, waits out a 429."""
    while True:
        # the service may hold the request until its own wait runs out, whatever is left of ours
        held = max(deadline - time.monotonic(), HELD_POST_S)
        try:
            return call(conn, "POST", "/submissions?wait=true", payload, timeout=held)[1]
        except ServiceError as exc:
            wait = exc.retry_after
            if not retry or wait is None or time.monotonic() + wait > deadline:
                raise
            print(f"judge: {exc} (--retry: waiting, then submitting again)", file=sys.stderr)
            time.sleep(wait)


def poll(conn: Connection, submission_id: str, body: dict[str, Any], deadline: float,
         finished: Callable[[dict[str, Any]], bool], status: Status | None = None) -> dict[str, Any]:
    """GET the submission, at a growing interval, until `finished` holds or the deadline passes; the last answer."""
    interval = FIRST_POLL_S
    path = f"/submissions/{urllib.parse.quote(submission_id, safe='')}"
    while not finished(body):
        left = deadline - time.monotonic()
        if left <= 0:
            return body
        time.sleep(min(interval, left))
        interval = min(interval * 1.5, LONGEST_POLL_S)  # quick for a fast grading, gentle on a slow one
        body = call(conn, "GET", path)[1]
        if status is not None:
            status.update(_waiting_words(body))
    return body


def graded(body: dict[str, Any]) -> bool:
    """Whether the answer carries the verdict."""
    return body.get("status") == "done"


def timed(body: dict[str, Any]) -> bool:
    """Whether the speed comparison is over (done, failed or skipped), or there is none to wait for."""
    return (body.get("timing") or {}).get("status") not in TIMING_UNDER_WAY


def _waiting_words(body: dict[str, Any]) -> str:
    if not graded(body):
        return f"waiting for the verdict ({body.get('status', '?')})"
    timing = body.get("timing") or {}
    why = f": {timing['reason']}" if timing.get("reason") else ""
    return f"timing against the Torch reference ({timing.get('status', '?')}{why})"


def result_of(conn: Connection, body: dict[str, Any]) -> GradeResult:
    """The GradeResult a done submission's JSON describes."""
    try:
        return GradeResult.from_dict(body)
    except (KeyError, ValueError, TypeError) as exc:
        raise ServiceError(f"the judge at {conn.server} sent a result this command cannot read: "
                           f"{type(exc).__name__}: {_one_line(str(exc))}") from exc


def _verdict(conn: Connection, args: argparse.Namespace, code: str, deadline: float,
             err: Console) -> dict[str, Any]:
    payload = {"problem": args.problem, "code": code, "timing": not args.no_timing}
    with err.status(f"submitting {args.file} to {conn.server}") as status:
        body = post(conn, payload, deadline, args.retry)
        if not graded(body):
            if "id" not in body:
                raise ServiceError(f"the judge at {conn.server} answered without a submission id")
            status.update(_waiting_words(body))
            body = poll(conn, str(body["id"]), body, deadline, graded, status)
    if not graded(body):
        raise ServiceError(f"no verdict within --timeout {args.timeout:g} s; the judge goes on grading: "
                           f"GET {conn.server}/submissions/{body['id']} (with your token) shows it later")
    return body


def cmd_submit(args: argparse.Namespace, settings: JudgeSettings) -> int:
    """Submit the file, print the report, and exit 0 when Accepted, 1 when not (2 and 3: see the module)."""
    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a number of seconds over 0")
    code = read_code(Path(args.file))
    conn = connection(args.server, args.token, os.environ)
    deadline = time.monotonic() + args.timeout
    err, out = report.console(stderr=True), report.console()
    try:
        body = _verdict(conn, args, code, deadline, err)
        result = result_of(conn, body)
        speed_later = not args.no_timing and not timed(body)
        if not args.json:  # the verdict now; the speed lines once they come
            out.print(report.render(result, args.file, with_timing=not speed_later))
        if speed_later:
            with err.status(_waiting_words(body)) as status:
                body = poll(conn, str(body["id"]), body, deadline, timed, status)
            if not args.json:
                _print_speed(out, body, args.timeout)
    except ServiceError as exc:
        print(f"judge: error: {exc}", file=sys.stderr)
        return EXIT_SERVICE
    if args.json:
        print(json.dumps(body, allow_nan=False), flush=True)
    return 0 if result.verdict is Verdict.ACCEPTED else 1


def _print_speed(out: Console, body: dict[str, Any], timeout: float) -> None:
    timing = body.get("timing") or {}
    if timed(body):
        for line in report.timing_lines(timing):
            out.print(line, markup=False)
    else:  # the deadline came first; the service finishes the comparison anyway
        out.print(f"speed: still {timing.get('status')} after --timeout {timeout:g} s "
                  f"(GET /submissions/{body.get('id')} shows it later)", markup=False)


_EXAMPLE = """\
example:
  judge submit block.py --problem cross-attention --server https://judge.example.edu --token TOKEN

  or, once, in ~/.config/attention-judge/config.toml (chmod 600: it holds your token):
    server = "https://judge.example.edu"
    token = "TOKEN"
  and then just:
  judge submit block.py --problem cross-attention

exit codes: 0 Accepted, 1 graded but not Accepted, 2 a usage error (no token, a bad file, or the judge
refuses the token, the problem or the code), 3 the judge cannot be reached, is busy or cannot grade now.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `judge submit` to the CLI."""
    p = sub.add_parser(
        "submit", help="send a file to a judge service and print its report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Send FILE to a running judge service (judge serve), wait for the verdict and print the same\n"
                    "report as `judge run`, then the speed comparison when it is done.\n\n"
                    "The server comes from --server, else JUDGE_SERVER, else `server` in the config file, else\n"
                    f"{DEFAULT_SERVER}. The token comes from --token, else JUDGE_TOKEN, else `token` in the\n"
                    "config file $XDG_CONFIG_HOME/attention-judge/config.toml (default ~/.config/...).",
        epilog=_EXAMPLE)
    p.add_argument("file", metavar="FILE", help="your .py file")
    p.add_argument("--problem", required=True, metavar="SLUG", help="the problem's id, e.g. cross-attention")
    p.add_argument("--server", metavar="URL", help=f"the judge's address (default {DEFAULT_SERVER})")
    p.add_argument("--token", metavar="TOKEN", help="your token (on a shared machine prefer the config file: "
                                                    "a flag shows in the process list)")
    p.add_argument("--no-timing", action="store_true", help="skip the speed comparison with the Torch reference")
    p.add_argument("--json", action="store_true", help="print the judge's final JSON answer, one line")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"the longest to wait for the verdict and the speed comparison (default {DEFAULT_TIMEOUT_S:g})")
    p.add_argument("--retry", action="store_true",
                   help="when the judge is busy (429), wait as long as it asks and submit again, within --timeout")
    p.set_defaults(handler=cmd_submit)


__all__ = ["Connection", "ServiceError", "cmd_submit", "config_path", "connection", "read_code", "read_config",
           "register"]
