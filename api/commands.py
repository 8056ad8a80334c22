"""`judge serve`, `judge work` and `judge token ...`, registered on the main CLI by `register(subparsers)`.

Importing this module stays light (argparse only): FastAPI, uvicorn and
SQLAlchemy are imported inside the handlers, so `judge list` never pays for them.
Each handler takes the parsed arguments and returns the exit code: 0 done,
2 a usage error (reported in one line on stderr).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.store import Store

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def _fail(message: str) -> int:
    print(f"judge: error: {message}", file=sys.stderr)
    return 2


def _store() -> Store:
    from api.settings import ServiceSettings
    from api.store import Store

    settings = ServiceSettings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(settings.database)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service until interrupted."""
    import logging

    from pydantic import ValidationError

    from api.app import create_app
    from api.server import serve
    from api.settings import ServiceSettings

    try:
        settings = ServiceSettings()
    except ValidationError as exc:
        return _fail(f"bad JUDGE_* setting: {exc}")
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.unsandboxed:
        print("judge serve: WARNING: JUDGE_UNSANDBOXED is set: submissions run WITHOUT bubblewrap", file=sys.stderr)
    # a bounded graceful shutdown: waiting requests are cut short, their submissions are durable anyway
    serve(create_app(settings), settings, host=args.host, port=args.port, log_level=args.log_level,
          timeout_graceful_shutdown=5)
    return 0


def cmd_work(args: argparse.Namespace) -> int:
    """Grade from the shared database, serving no HTTP, until SIGTERM or Ctrl-C."""
    import logging
    import signal
    import threading

    from pydantic import ValidationError
    from sqlalchemy.engine import make_url

    from api.host import GradingHost
    from api.settings import ServiceSettings
    from api.store import Store
    from judge.probe import probe

    try:
        settings = ServiceSettings()
    except ValidationError as exc:
        return _fail(f"bad JUDGE_* setting: {exc}")
    workers = settings.workers if args.workers is None else args.workers
    if workers < 1:
        return _fail("judge work needs at least one worker (--workers N, or JUDGE_WORKERS)")
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=getattr(logging, args.log_level.upper()),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    checked = probe(settings.unsandboxed)
    if not checked.ok:  # a host that cannot sandbox must not claim work it would fail
        return _fail(f"the sandbox does not work on this host, so it takes no work: {checked.line}")
    stopping = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stopping.set())
    store = Store(settings.database)
    host = GradingHost(settings, store, workers=workers)
    where = make_url(settings.database).render_as_string(hide_password=True)
    print(f"judge work: {workers} worker(s) as {host.identity} on {where}; SIGTERM or Ctrl-C stops it "
          "(each worker finishes its grading first)", file=sys.stderr)
    try:
        warm = host.start()
        print(f"judge work: ready: {host.pool.ready} of {workers} worker(s) warm"
              + ("" if warm else "; grading with those while the rest warm up"), file=sys.stderr, flush=True)
        stopping.wait()
    finally:
        host.stop()
        store.close()
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    if not _NAME.match(args.name):
        return _fail(f"bad account name {args.name!r}: 1 to 64 letters, digits, '_', '.', '@' or '-'")
    try:
        token = _store().create_account(args.name, args.role)
    except ValueError as exc:
        return _fail(str(exc))
    print(token)  # only the token on stdout, so that TOKEN=$(judge token create ...) works
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    accounts = _store().accounts()
    print(f"{'name':24} {'role':8} {'state':8} created (UTC)")
    for account in accounts:
        state = "revoked" if account.revoked else "active"
        print(f"{account.name:24} {account.role:8} {state:8} {account.created_at:%Y-%m-%d %H:%M}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    if not _store().revoke(args.name):
        return _fail(f"no account named {args.name!r}")
    print(f"revoked {args.name}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `token` to a CLI's subparsers; each sets `handler(args) -> exit code`."""
    p = sub.add_parser("serve", help="run the grading service (FastAPI under uvicorn)",
                       description="Serve the HTTP API, with SQLite and grading workers on this machine by default. "
                                   "Settings come from JUDGE_* variables (see docs/service.md).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("work", help="grade from the shared database without serving HTTP (a worker host)",
                       description="Run grading workers that claim submissions from the database that `judge serve` "
                                   "hosts write to (JUDGE_DATABASE_URL: PostgreSQL to span machines; the default "
                                   "SQLite file to add workers on this one). Any number of `judge work` and "
                                   "`judge serve` processes may share it; if one dies, the others take its work "
                                   "back once its leases (JUDGE_LEASE_S) run out. Settings come from JUDGE_* "
                                   "variables (see docs/service.md).")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="grading processes on this host (default JUDGE_WORKERS, else one per core)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(handler=cmd_work)

    p = sub.add_parser("token", help="create, list and revoke the service's bearer tokens",
                       description="Accounts of the service, in its database (JUDGE_DATA_DIR or JUDGE_DATABASE_URL).")
    tokens = p.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = tokens.add_parser("create", help="create an account; prints only its new token")
    create.add_argument("--name", required=True, help="the account's unique name")
    create.add_argument("--role", choices=("student", "admin"), default="student",
                        help="students see their own submissions; admins see all and may re-grade")
    create.set_defaults(handler=cmd_token_create)
    listing = tokens.add_parser("list", help="list the accounts (never their tokens)")
    listing.set_defaults(handler=cmd_token_list)
    revoke = tokens.add_parser("revoke", help="revoke an account's token")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_token_revoke)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m api serve|token ...`: the same parsers without the rest of the `judge` command."""
    parser = argparse.ArgumentParser(prog="python -m api", description="The grading service's commands.")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
