"""`judge token ...` and `judge serve` as registered by api.commands, and `python -m api`."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from api import commands
from api.store import Store


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JUDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("JUDGE_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_token_create_prints_only_the_token_and_stores_its_hash(data_dir, capsys):
    assert commands.main(["token", "create", "--name", "alice"]) == 0
    token = capsys.readouterr().out
    assert token.endswith("\n")
    assert len(token.split()) == 1
    store = Store(f"sqlite:///{data_dir / 'judge.sqlite3'}")
    account = store.account_for(token.strip())
    assert account is not None
    assert (account.name, account.role) == ("alice", "student")
    assert token.strip() not in (data_dir / "judge.sqlite3").read_bytes().decode("latin-1")


def test_token_list_and_revoke(data_dir, capsys):
    assert commands.main(["token", "create", "--name", "ta", "--role", "admin"]) == 0
    assert commands.main(["token", "create", "--name", "bob"]) == 0
    tokens = capsys.readouterr().out.split()
    assert commands.main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ta" in listing
    assert "admin" in listing
    assert "bob" in listing
    assert not any(token in listing for token in tokens)
    assert commands.main(["token", "revoke", "bob"]) == 0
    capsys.readouterr()
    assert commands.main(["token", "list"]) == 0
    assert any(line.startswith("bob") and "revoked" in line for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("argv", [["token", "create", "--name", "dup"], ["token", "create", "--name", "has space"],
                                  ["token", "create", "--name", ""], ["token", "revoke", "nobody"]])
def test_token_mistakes_exit_2_with_one_line(data_dir, capsys, argv):
    commands.main(["token", "create", "--name", "dup"])
    capsys.readouterr()
    assert commands.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("judge: error: ")
    assert len(err.strip().splitlines()) == 1


def test_register_adds_serve_and_token_with_handlers():
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    serve = parser.parse_args(["serve", "--port", "9001"])
    assert (serve.host, serve.port, serve.handler) == ("127.0.0.1", 9001, commands.cmd_serve)
    assert parser.parse_args(["serve"]).port == 8000
    assert parser.parse_args(["token", "list"]).handler is commands.cmd_token_list
    assert parser.parse_args(["token", "revoke", "x"]).handler is commands.cmd_token_revoke
    create = parser.parse_args(["token", "create", "--name", "x", "--role", "admin"])
    assert (create.handler, create.role) == (commands.cmd_token_create, "admin")


def test_the_judge_command_has_serve_and_token():
    from judge.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["serve", "--port", "1234"]).handler is commands.cmd_serve
    assert parser.parse_args(["token", "list"]).handler is commands.cmd_token_list


def test_importing_the_commands_stays_light():
    probe = ("import sys, api.commands; "
             "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'sqlalchemy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_python_dash_m_api_runs_the_same_commands(tmp_path):
    env = {"JUDGE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    created = subprocess.run([sys.executable, "-m", "api", "token", "create", "--name", "zoe"], env=env,
                             capture_output=True, text=True, check=True, timeout=60)
    assert len(created.stdout.split()) == 1
    listed = subprocess.run([sys.executable, "-m", "api", "token", "list"], env=env, capture_output=True, text=True,
                            check=True, timeout=60)
    assert "zoe" in listed.stdout


def test_work_without_workers_is_a_one_line_usage_error(data_dir, capsys):
    assert commands.main(["work", "--workers", "0"]) == 2
    assert capsys.readouterr().err == ("judge: error: judge work needs at least one worker (--workers N, or "
                                       "JUDGE_WORKERS)\n")


def test_work_refuses_to_start_when_its_sandbox_fails(data_dir, capsys, monkeypatch):
    """A worker host that cannot sandbox must claim nothing: it exits before touching the queue."""
    from judge import probe as probe_module
    from judge.sandbox import isolation

    failed = probe_module.ProbeResult(False, "bwrap: setting up uid map: Permission denied", isolation(), 0.1)
    monkeypatch.setattr(probe_module, "probe", lambda unsandboxed=False: failed)
    data_dir.mkdir(parents=True)
    store = Store(f"sqlite:///{data_dir / 'judge.sqlite3'}")
    store.create_account("alice", "student")
    store.admit("alice", "cross-attention", "x = 1", False, max_queue=10, per_minute=10)
    assert commands.main(["work", "--workers", "1"]) == 2
    assert capsys.readouterr().err == ("judge: error: the sandbox does not work on this host, so it takes no work: "
                                       "bwrap: setting up uid map: Permission denied\n")
    assert store.counts() == {"queued": 1, "running": 0, "done": 0}  # nothing claimed
