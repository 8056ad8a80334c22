"""`judge submit` as a student at a terminal meets it: against a scripted fake service, and once the real one."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from judge import submit_command
from judge.check import declared_mistake, declared_verdict, solution_files
from judge.cli import main
from judge.problem import get_problem
from judge.verdicts import CaseResult, GradeResult, Verdict, WorstAt

CODE = "def cross_attention_block(*args):\n    return None\n"
SPEED = {"status": "done", "device": "cpu", "threads": 1, "summary": "1.25x as fast as the Torch reference",
         "speedup": 1.25, "speedup_ci95": [1.2, 1.3], "submission_seconds": 0.002, "reference_seconds": 0.0025,
         "samples": 9}


# --- a fake service ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: Any  # a JSON value, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeJudge:
    """Answers each (method, path) with its scripted replies in turn (the last one again and again)."""

    def __init__(self) -> None:
        self.script: dict[tuple[str, str], list[Reply]] = {}
        self.seen: list[Seen] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.script[(method, path)] = list(replies)

    def next_reply(self, method: str, path: str) -> Reply:
        queue = self.script.get((method, path), [Reply(404, {"detail": "Not Found"})])
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def paths(self, method: str) -> list[str]:
        return [s.path for s in self.seen if s.method == method]


def _handler(judge: FakeJudge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            judge.seen.append(Seen(self.command, self.path, dict(self.headers), json.loads(raw) if raw else None))
            reply = judge.next_reply(self.command, self.path)
            data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows stderr on failure
            pass

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeJudge]:
    judge = FakeJudge()
    thread = threading.Thread(target=judge.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield judge
    judge.httpd.shutdown()
    judge.httpd.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _client_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real config, token or proxy of the machine's reaches a test; polling is quick."""
    for name in ("JUDGE_SERVER", "JUDGE_TOKEN", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                 "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(submit_command, "FIRST_POLL_S", 0.01)
    monkeypatch.setattr(submit_command, "LONGEST_POLL_S", 0.05)


@pytest.fixture
def block(tmp_path: Path) -> Path:
    path = tmp_path / "block.py"
    path.write_text(CODE, encoding="utf-8")
    return path


def result(verdict: Verdict = Verdict.ACCEPTED, timing: dict[str, Any] | None = None) -> GradeResult:
    """A grading as the core builds one: a public and a hidden case, a hint when wrong."""
    wrong = verdict is not Verdict.ACCEPTED
    cases = [
        CaseResult(name="tiny-public", public=True, verdict=Verdict.ACCEPTED, message="matches", seed=11,
                   shapes={"decoder_x": [1, 2, 4]}, dims={"N": 1, "T_dec": 2, "d": 4}, max_abs_error=1e-7,
                   tolerance=1e-5),
        CaseResult(name="long-hidden", public=False, verdict=verdict, message="12 of 96 elements differ",
                   shapes={"decoder_x": [2, 6, 8]}, dims={"N": 2, "T_dec": 6, "d": 8},
                   worst_at=WorstAt(output="out", index=[1, 4, 7], axes=["batch", "decoder position", "feature"])
                   if wrong else None),
    ]
    return GradeResult(problem="cross-attention", verdict=verdict, score=0.5 if wrong else 1.0, cases=cases,
                       sandbox="bubblewrap", hint="LayerNorm's eps looks like 1e-3" if wrong else None,
                       mistake="layer-norm-eps" if wrong else None, timing=timing, points=1.0 if wrong else 2.0,
                       max_points=2.0)


def answer(graded: GradeResult, **extra: Any) -> dict[str, Any]:
    """The service's JSON for a done submission: the result's fields and the service's own."""
    return {"id": "s1", "status": "done", "owner": "alice", "attempts": 1, "code": CODE, **graded.to_dict(), **extra}


def submit(fake: FakeJudge, block: Path, *flags: str, token: str | None = "tok") -> int:
    argv = ["submit", str(block), "--problem", "cross-attention", "--server", fake.url, *flags]
    return main([*argv, "--token", token] if token else argv)


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("judge: error: ")
    return err


# --- the result travels as JSON ---------------------------------------------------------------


def test_a_result_survives_json_and_the_service_keys_are_ignored():
    graded = result(Verdict.WRONG_ANSWER, SPEED)
    assert GradeResult.from_dict(json.loads(json.dumps(answer(graded, a_later_field=[1])))) == graded


def test_missing_or_null_keys_take_their_defaults():
    rebuilt = GradeResult.from_dict({"verdict": "Accepted", "points": None,
                                     "cases": [{"name": "c", "verdict": "Accepted", "worst_at": None}]})
    assert rebuilt.points == 0.0
    assert rebuilt.cases[0].dims == {}
    assert rebuilt.cases[0].worst_at is None


# --- submitting ------------------------------------------------------------------------------


def test_accepted_at_once_prints_the_report_and_exits_0(fake, block, capsys):
    graded = result(timing={"status": "skipped", "reason": "--no-timing"})
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(graded)))
    assert submit(fake, block, "--no-timing") == 0
    out = capsys.readouterr().out
    assert str(Verdict.ACCEPTED) in out
    assert all(case.name in out for case in graded.cases)
    (request,) = fake.seen
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.body == {"problem": "cross-attention", "code": CODE, "timing": False}


def test_wrong_answer_exits_1_with_the_hint(fake, block, capsys):
    graded = result(Verdict.WRONG_ANSWER)
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(graded)))
    assert submit(fake, block) == 1
    out = capsys.readouterr().out
    assert str(Verdict.WRONG_ANSWER) in out
    assert graded.hint is not None
    assert graded.hint in out


def test_a_202_is_followed_by_polling_until_done(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(202, {"id": "s1", "status": "queued"}))
    fake.on("GET", "/submissions/s1", Reply(200, {"id": "s1", "status": "queued"}),
            Reply(200, {"id": "s1", "status": "running"}), Reply(200, answer(result(Verdict.WRONG_ANSWER))))
    assert submit(fake, block, "--no-timing") == 1
    assert fake.paths("GET") == ["/submissions/s1"] * 3
    assert str(Verdict.WRONG_ANSWER) in capsys.readouterr().out


def test_the_verdict_comes_first_then_the_speed_once_timed(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result(timing={"status": "pending"}))))
    fake.on("GET", "/submissions/s1", Reply(200, answer(result(timing={"status": "running"}))),
            Reply(200, answer(result(timing=SPEED))))
    assert submit(fake, block) == 0
    out = capsys.readouterr().out
    assert fake.seen[0].body["timing"] is True
    assert len(fake.paths("GET")) == 2
    assert out.index(str(Verdict.ACCEPTED)) < out.index(str(SPEED["summary"]))


def test_the_speed_wait_ends_at_the_timeout_with_the_verdict_kept(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result(timing={"status": "pending"}))))
    fake.on("GET", "/submissions/s1", Reply(200, answer(result(timing={"status": "running"}))))
    assert submit(fake, block, "--timeout", "0.3") == 0
    out = capsys.readouterr().out
    assert str(Verdict.ACCEPTED) in out
    assert "still running" in out


def test_no_verdict_within_the_timeout_exits_3_naming_the_submission(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(202, {"id": "s1", "status": "queued"}))
    fake.on("GET", "/submissions/s1", Reply(200, {"id": "s1", "status": "running"}))
    assert submit(fake, block, "--timeout", "0.2") == 3
    assert "/submissions/s1" in one_line_error(capsys.readouterr().err)


def test_json_prints_the_final_answer_in_one_line(fake, block, capsys):
    final = answer(result(timing=SPEED))
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result(timing={"status": "pending"}))))
    fake.on("GET", "/submissions/s1", Reply(200, final))
    assert submit(fake, block, "--json") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == final


# --- what goes wrong ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "code", "words"),
    [
        (401, {"detail": "a valid 'Authorization: Bearer <token>' header is needed"}, {}, 2, "token from --token"),
        (404, {"detail": "unknown problem 'x'; known problems: cross-attention"}, {}, 2,
         "known problems: cross-attention"),
        (404, {"detail": "Not Found"}, {}, 2, "address"),
        (413, {"detail": "the code is 70000 bytes, over the limit of 65536 bytes"}, {}, 2, "over the limit"),
        (422, {"detail": [{"loc": ["body", "code"], "msg": "Field required"}]}, {}, 2, "body.code: Field required"),
        (429, {"detail": "over 30 submissions a minute for this token"}, {"Retry-After": "17"}, 3,
         "a minute for this token; try again in 17 s"),
        (503, {"detail": "the sandbox does not work"}, {"Retry-After": "60"}, 3, "does not work; try again in 60 s"),
        (500, b"Internal Server Error", {"Content-Type": "text/plain"}, 3, "HTTP 500: Internal Server Error"),
    ],
)
def test_each_refusal_is_one_line_with_its_exit_code(fake, block, capsys, status, body, headers, code, words):
    fake.on("POST", "/submissions?wait=true", Reply(status, body, headers))
    assert submit(fake, block) == code
    captured = capsys.readouterr()
    assert words in one_line_error(captured.err)
    assert captured.out == ""
    assert len(fake.seen) == 1  # no automatic retry


def test_retry_waits_out_a_429(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(429, {"detail": "busy"}, {"Retry-After": "0"}),
            Reply(200, answer(result())))
    assert submit(fake, block, "--no-timing", "--retry") == 0
    assert len(fake.seen) == 2


def test_an_answer_that_is_not_the_judges_json_exits_3(fake, block, capsys):
    fake.on("POST", "/submissions?wait=true", Reply(200, b"<html>a login page</html>", {"Content-Type": "text/html"}))
    assert submit(fake, block) == 3
    assert "login page" in one_line_error(capsys.readouterr().err)


def test_a_refused_connection_exits_3(block, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["submit", str(block), "--problem", "p", "--server", f"http://127.0.0.1:{port}", "--token", "t"])
    assert code == 3
    assert f"cannot reach the judge at http://127.0.0.1:{port}" in one_line_error(capsys.readouterr().err)


def test_an_unknown_host_exits_3(block, capsys, monkeypatch):
    def no_such_host(*args: Any, **kwargs: Any) -> Any:  # the resolver's answer, without asking a real one
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    code = main(["submit", str(block), "--problem", "p", "--server", "http://judge.invalid", "--token", "t"])
    assert code == 3
    assert "cannot reach the judge at http://judge.invalid" in one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "no such file"), (b"x = '\xff'\n", "not UTF-8"), (b"#" * (2 << 20), "over the 1024 KiB"),
     ("folder", "a folder")],
    ids=["missing", "latin-1", "2-MiB", "folder"],
)
def test_a_bad_file_is_a_usage_error_and_nothing_is_sent(fake, tmp_path, capsys, content, words):
    path = tmp_path / "block.py"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert submit(fake, path) == 2
    assert words in one_line_error(capsys.readouterr().err)
    assert fake.seen == []


def test_a_missing_token_names_the_three_places(fake, block, capsys):
    assert submit(fake, block, token=None) == 2
    err = one_line_error(capsys.readouterr().err)
    assert "--token" in err
    assert "JUDGE_TOKEN" in err
    assert str(submit_command.config_path({"XDG_CONFIG_HOME": str(block.parent / "config")})) in err


def _config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config" / "attention-judge" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize(
    ("flag", "env", "sent"),
    [("from-flag", "from-env", "from-flag"), (None, "from-env", "from-env"), (None, None, "from-file")],
)
def test_the_token_comes_from_the_flag_else_the_environment_else_the_file(fake, block, tmp_path, monkeypatch,
                                                                          flag, env, sent):
    _config(tmp_path, 'token = "from-file"\n')
    if env:
        monkeypatch.setenv("JUDGE_TOKEN", env)
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result())))
    assert submit(fake, block, "--no-timing", token=flag) == 0
    assert fake.seen[0].headers["Authorization"] == f"Bearer {sent}"


def test_the_server_can_come_from_the_config_file(fake, block, tmp_path, capsys):
    _config(tmp_path, f'server = "{fake.url}/"\ntoken = "from-file"\n')
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result())))
    assert main(["submit", str(block), "--problem", "cross-attention", "--no-timing"]) == 0
    assert fake.paths("POST") == ["/submissions?wait=true"]


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o600, False)])
def test_a_config_file_others_can_read_is_warned_about_but_used(fake, block, tmp_path, capsys, mode, warned):
    path = _config(tmp_path, 'token = "from-file"\n', mode)
    fake.on("POST", "/submissions?wait=true", Reply(200, answer(result())))
    assert submit(fake, block, "--no-timing", token=None) == 0
    err = capsys.readouterr().err
    assert (f"chmod 600 {path}" in err) is warned
    assert fake.seen[0].headers["Authorization"] == "Bearer from-file"


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["submit", "--help"])
    assert exit_.value.code == 0
    assert "judge submit block.py --problem cross-attention" in capsys.readouterr().out


# --- the real service ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from tests.api.live import Server  # the service's test helper: only these tests need the api package

    server = Server(tmp_path_factory.mktemp("submit") / "data", workers=1)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", server.judge("token", "create", "--name", "student")
    finally:
        server.stop()


def _shipped(kind: str) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in solution_files(get_problem("cross-attention"), kind)]


def _wrong_answer_with_a_hint() -> tuple[Path, str]:
    """A shipped wrong solution that declares a Wrong Answer and the mistake the judge names; and the mistake."""
    return next((p, mistake) for p, source in _shipped("wrong") if declared_verdict(source) is Verdict.WRONG_ANSWER
                and (mistake := declared_mistake(source)) not in (None, "none"))


@pytest.mark.server
@pytest.mark.sandbox
def test_a_correct_solution_is_accepted_by_the_real_service(live, capsys):
    url, token = live
    path = _shipped("correct")[0][0]  # every file in solutions/correct is Accepted (judge check holds it to that)
    assert main(["submit", str(path), "--problem", "cross-attention", "--server", url, "--token", token,
                 "--no-timing"]) == 0
    assert str(Verdict.ACCEPTED) in capsys.readouterr().out


@pytest.mark.server
@pytest.mark.sandbox
def test_a_wrong_solution_gets_its_verdict_and_mistake_from_the_real_service(live, capsys):
    url, token = live
    path, mistake = _wrong_answer_with_a_hint()
    assert main(["submit", str(path), "--problem", "cross-attention", "--server", url, "--token", token,
                 "--no-timing"]) == 1
    out = capsys.readouterr().out
    assert str(Verdict.WRONG_ANSWER) in out
    assert mistake in out  # the hint's panel names it
