"""`judge serve` and `judge token ...`: registered on the main CLI; FastAPI is imported only when used."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.store import Store


def _store() -> Store:
    from api.settings import ServiceSettings
    from api.store import Store

    settings = ServiceSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(settings.database)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.settings import ServiceSettings

    uvicorn.run(create_app(ServiceSettings()), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    store = _store()
    try:
        token = store.create_account(args.name, args.role)
    except ValueError as exc:
        print(f"judge: error: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    store = _store()
    for account in store.accounts():
        state = "revoked" if account.revoked else "active"
        print(f"{account.name:24} {account.role:8} {state:8} {account.created_at:%Y-%m-%d %H:%M}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    store = _store()
    if not store.revoke(args.name):
        print(f"judge: error: no account named {args.name!r}", file=sys.stderr)
        return 2
    print(f"revoked {args.name}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `token` to the `judge` command."""
    p = sub.add_parser("serve", help="run the grading service (FastAPI under uvicorn)",
                       description="Serve the HTTP API with SQLite and local workers under JUDGE_DATA_DIR.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("token", help="create, list and revoke the service's bearer tokens")
    tokens = p.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = tokens.add_parser("create", help="create an account; prints only its new token")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("student", "admin"), default="student")
    create.set_defaults(handler=cmd_token_create)
    tokens.add_parser("list", help="list the accounts").set_defaults(handler=cmd_token_list)
    revoke = tokens.add_parser("revoke", help="revoke an account's token")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_token_revoke)
