"""The "must survive" list: hostile submissions graded through the real bubblewrap sandbox.

Each submission lives in tests/judge/hostile/ as a data file and misbehaves on its first
call (or at import). Every test asserts the exact verdict and that the judge is unharmed
(see conftest.HostileRun.assert_unharmed): nothing of the run outlives it, nothing is
written outside the sandbox, and an honest submission graded right after is Accepted.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from judge.cases import make_cases
from judge.grader import call_request
from judge.probe import probe
from judge.runner import Child
from judge.verdicts import Verdict

from .conftest import (
    HOME,
    JUDGE_DIR,
    NO_UID,
    REPO,
    fast_limits_problem,
    honest_source,
    leftovers,
    load_fixture,
    run_processes,
    snapshot,
)

pytestmark = pytest.mark.sandbox

ACCEPTED = Verdict.ACCEPTED
WA = Verdict.WRONG_ANSWER
CE = Verdict.COMPILATION_ERROR
RE = Verdict.RUNTIME_ERROR
TLE = Verdict.TIME_LIMIT_EXCEEDED
MLE = Verdict.MEMORY_LIMIT_EXCEEDED


def _result_json(run) -> str:
    return json.dumps(run.result.to_dict(), default=str)


def _first_message(run) -> str:
    return run.result.cases[0].message


def test_the_sandbox_is_bubblewrap_and_starts():
    result = probe()
    assert result.ok, result.line
    assert result.isolation.level == "bubblewrap"


def test_honest_fixture_is_accepted(hostile):
    run = hostile(source=honest_source())
    assert run.result.verdict is ACCEPTED, [c.message for c in run.result.cases]
    assert run.result.score == 1.0
    run.assert_unharmed()


@pytest.mark.parametrize(
    ("fixture", "verdict", "message_part"),
    [
        # time
        ("infinite_loop", TLE, "wall time"),
        ("infinite_loop_at_import", TLE, "time"),
        ("sleep_forever", TLE, "wall time"),
        ("sigterm_ignored", TLE, "wall time"),
        ("stalls_mid_frame", TLE, "wall time"),
        # memory
        ("memory_huge", MLE, "MemoryError"),
        ("memory_gradual", MLE, "MemoryError"),
        # leaving early
        ("os_exit_in_function", RE, ""),
        ("os_exit_at_import", RE, ""),
        ("sys_exit_in_function", RE, "sys.exit(0)"),
        ("sys_exit_at_import", RE, "sys.exit(0)"),
        ("segfault", RE, "SIGSEGV"),
        ("closes_all_fds", RE, ""),
        # lying to the judge
        ("forged_frames", RE, ""),
        ("forged_reply_with_nonce", RE, "exactly one array"),
        ("monkeypatch_numpy", WA, "elements off"),
        ("lying_subclass_wrong", WA, "elements off"),
        # contract
        ("return_tuple", WA, "tuple"),
        ("return_list", WA, "list"),
        ("returns_nan", WA, "non-finite"),
        # harmless side effects of a correct answer
        ("lying_subclass_right", ACCEPTED, "within tolerance"),
        ("mutate_inputs_after", ACCEPTED, "within tolerance"),
        ("mutate_inputs_inplace", ACCEPTED, "within tolerance"),
        # compile-time failures
        ("syntax_error", CE, "SyntaxError"),
        ("raise_at_import", CE, "refuses to be imported"),
        ("no_entry_point", CE, "cross_attention_block"),
        ("entry_point_not_callable", CE, "not a function"),
    ],
)
def test_verdict(hostile, fixture, verdict, message_part):
    run = hostile(fixture)
    assert run.result.verdict is verdict, (run.result.verdict, [c.message for c in run.result.cases][:2],
                                           run.result.stderr[-2000:])
    assert message_part in _first_message(run), _first_message(run)
    run.assert_unharmed()


def test_memoised_output_fails_the_second_case(hostile):
    run = hostile("memoise")
    first, second = run.result.cases[:2]
    assert first.verdict is ACCEPTED, first.message
    assert second.verdict is WA, second.message
    run.assert_unharmed()


def test_wrong_shape_names_the_shape(hostile):
    run = hostile("wrong_shape")
    assert run.result.verdict is WA
    case = run.result.cases[0]
    n, t, d = case.dims["N"], case.dims["T_dec"], case.dims["d"]
    assert str((n, t, d - 1)) in case.message, case.message
    assert str((n, t, d)) in case.message, case.message
    run.assert_unharmed()


def test_exception_traceback_shows_only_the_submission(hostile):
    run = hostile("raises_value_error")
    assert run.result.verdict is RE
    assert "ValueError" in _first_message(run)
    assert "the student's own bug" in _first_message(run)
    traceback = run.result.traceback or ""
    assert "submission.py" in traceback, traceback
    assert "_helper" in traceback, traceback
    assert "harness" not in traceback, traceback
    assert "/sandbox" not in traceback, traceback
    run.assert_unharmed()


def test_bounded_fork_bomb(hostile):
    run = hostile("fork_bomb")
    assert run.result.verdict in (RE, TLE), (run.result.verdict, _first_message(run))
    run.assert_unharmed()


def test_double_forked_daemon_does_not_outlive_the_run(hostile):
    run = hostile("double_fork_daemon")
    assert run.result.verdict is ACCEPTED, [c.message for c in run.result.cases]
    for folder in (Path("/tmp"), HOME, REPO):
        assert not (folder / run.marker).exists()
    run.assert_unharmed()  # the daemon's marked command line must be gone within the grace time


@pytest.mark.parametrize("fixture", ["kill_parent", "kill_everything"])
def test_killing_its_parent_does_not_kill_the_judge(hostile, fixture):
    run = hostile(fixture)
    assert run.result.verdict in (RE, WA), (run.result.verdict, _first_message(run))
    os.kill(os.getpid(), 0)  # still here
    os.kill(os.getppid(), 0)
    run.assert_unharmed()


def test_flooding_stdout_and_stderr_is_capped(hostile):
    run = hostile("flood_output")
    assert run.result.verdict is ACCEPTED, [c.message for c in run.result.cases]
    assert run.result.stdout.startswith("spam spam")
    assert run.result.stderr.startswith("spam spam")
    assert len(run.result.stdout) < 10_000
    assert len(run.result.stderr) < 10_000
    assert len(_result_json(run)) < 100_000
    run.assert_unharmed()


def test_filling_tmp_stays_in_the_sandbox(hostile):
    free_before = os.statvfs("/tmp").f_bavail * os.statvfs("/tmp").f_frsize
    run = hostile("fill_tmp")
    assert run.result.verdict in (ACCEPTED, RE), (run.result.verdict, _first_message(run))
    assert not [n for n in os.listdir("/tmp") if run.marker in n]
    free_after = os.statvfs("/tmp").f_bavail * os.statvfs("/tmp").f_frsize
    assert free_after > free_before - (24 << 20)  # the sandbox's 32 MB tmpfs did not land on the host
    run.assert_unharmed()


def test_writing_to_the_judge_folder_or_home_fails(hostile):
    targets = [str(REPO), str(JUDGE_DIR), str(REPO / "reference"), str(REPO / "problems" / "cross-attention"),
               str(HOME), os.path.dirname(JUDGE_DIR)]
    run = hostile("write_outside", TARGETS=repr(targets))
    assert run.result.verdict is WA, (run.result.verdict, _first_message(run))
    for folder in targets:
        assert not (Path(folder) / run.marker).exists()
    run.assert_unharmed()


def test_the_judges_environment_is_invisible(hostile, monkeypatch):
    secret = "s3cr3t-" + os.urandom(8).hex()
    monkeypatch.setenv("JUDGE_TEST_SECRET", secret)
    run = hostile("read_environment")
    assert run.result.verdict is RE
    assert "noleak" in _first_message(run), _first_message(run)
    assert "HOME=/tmp" in _first_message(run), _first_message(run)  # the search did read /proc
    assert secret not in _result_json(run)
    assert "JUDGE_TEST_SECRET" not in _result_json(run)
    run.assert_unharmed()


def test_loopback_server_is_unreachable(hostile):
    accepted: list[tuple[str, int]] = []
    stop = threading.Event()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.1)
        port = server.getsockname()[1]

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, peer = server.accept()
                except OSError:
                    continue
                accepted.append(peer)
                conn.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            run = hostile("connect_loopback", PORT=str(port))
            assert not accepted, f"the sandbox reached the judge's loopback server: {accepted}"
            with socket.create_connection(("127.0.0.1", port), timeout=2):  # control: the server does work
                pass
            for _ in range(100):
                if accepted:
                    break
                stop.wait(0.02)
        finally:
            stop.set()
            thread.join(timeout=2)
    assert len(accepted) == 1, accepted  # the control connection, and nothing else
    assert run.result.verdict is RE
    assert "noconnect" in _first_message(run), _first_message(run)
    run.assert_unharmed()


def test_the_judge_and_references_cannot_be_imported(hostile):
    run = hostile("import_judge")
    assert run.result.verdict is RE
    assert "noimport" in _first_message(run), _first_message(run)
    run.assert_unharmed()


def test_the_reference_sources_cannot_be_found(hostile):
    run = hostile("find_reference", problem=fast_limits_problem(case_wall_s=40.0, cpu_s=40))
    assert run.result.verdict is RE, (run.result.verdict, _first_message(run))
    assert "notfound" in _first_message(run), _first_message(run)
    looked_at = int(re.search(r"looking at (\d+) files", _first_message(run)).group(1))
    assert looked_at > 1000, _first_message(run)  # the walk was real: it saw the Python and NumPy files
    run.assert_unharmed()


def test_object_array_is_refused_without_unpickling(hostile):
    run = hostile("object_array_reduce")
    assert run.result.verdict is WA
    assert "objects" in _first_message(run), _first_message(run)
    assert not (Path("/tmp") / run.marker).exists()
    run.assert_unharmed()


def test_pickle_smuggled_past_the_harness_is_never_unpickled(hostile):
    run = hostile("smuggle_pickle")
    assert run.result.verdict is RE, (run.result.verdict, _first_message(run))
    # the reply broke the protocol (an object .npy); the child did not crash, the judge killed it
    assert "protocol" in _first_message(run), _first_message(run)
    assert "SIGKILL" not in _first_message(run), _first_message(run)
    assert not (Path("/tmp") / run.marker).exists()
    run.assert_unharmed()


def test_oversized_output_is_refused(hostile):
    run = hostile("oversized_output", problem=fast_limits_problem(memory_mb=2048, case_wall_s=20.0))
    assert run.result.verdict is RE, (run.result.verdict, _first_message(run))
    # the reply's frame is over the judge's limit: a protocol break, not a crash of the child
    assert "protocol" in _first_message(run), _first_message(run)
    assert "SIGKILL" not in _first_message(run), _first_message(run)
    run.assert_unharmed()


# --- the detectors themselves can fail ----------------------------------------------------------


def test_the_process_detector_sees_a_live_daemon():
    """While its sandbox lives, the double-forked daemon is visible by uid and by marker; after, gone."""
    problem = fast_limits_problem()
    marker = f"hostile-{os.urandom(8).hex()}"
    with Child(problem.limits) as child:
        uid = child.uid if child.uid is not None else NO_UID
        assert child.wait_ready().status == "ready"
        loaded = child.request({"op": "load", "code": load_fixture("double_fork_daemon", MARKER=marker),
                                "entry_point": problem.entry_point})
        assert loaded.status == "ok", loaded.message
        header, arrays = call_request(make_cases(problem, "s")[0].inputs)
        assert child.request(header, arrays).status == "ok"
        deadline = time.monotonic() + 5
        while not any(marker in cmd for cmd in run_processes(uid, marker).values()):
            assert time.monotonic() < deadline, "the daemon never showed up"
            time.sleep(0.05)
        assert uid not in (os.getuid(), os.geteuid())
    deadline = time.monotonic() + 5
    while run_processes(uid, marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not run_processes(uid, marker)


def test_the_file_detector_sees_a_marker_file(tmp_path):
    marker = f"hostile-{os.urandom(8).hex()}"
    before = snapshot()
    planted = Path("/tmp") / marker
    planted.write_text("planted by the test")
    try:
        assert str(planted) in " ".join(leftovers(before, marker))
    finally:
        planted.unlink()
    assert not leftovers(before, marker)


# --- nothing is left to a judge that is PID 1 (a container without an init) ---------------------

_REAPER_SCRIPT = textwrap.dedent("""
    import ctypes, dataclasses, os, sys, time
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us
    from judge.grader import GradeOptions, grade
    from judge.problem import get_problem
    problem = get_problem("cross-attention")
    problem = dataclasses.replace(problem, limits=dataclasses.replace(problem.limits, case_wall_s=5.0))
    code = open(sys.argv[1]).read()
    verdicts = [str(grade(problem, code, GradeOptions(timing=False)).verdict)
                for _ in range(3)]
    time.sleep(1.0)
    me, zombies = os.getpid(), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == me:
            zombies.append(f"{pid} {name} state {fields[0]}")
    print(verdicts)
    print("LEFT:", zombies)
""")


def test_no_process_is_left_to_a_judge_that_is_pid_1(tmp_path):
    """A judge running as PID 1 (the Dockerfile's CMD, no init) inherits every orphan of its runs.

    Each grading must leave it nothing: an unreaped zombie per grading would pile up forever
    and, as root, count against a sandbox uid's process limit until no sandbox can start.
    """
    honest = tmp_path / "honest.py"
    honest.write_text(honest_source())
    done = subprocess.run([sys.executable, "-c", _REAPER_SCRIPT, str(honest)], capture_output=True,
                          text=True, timeout=120, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "['Accepted', 'Accepted', 'Accepted']" in done.stdout, done.stdout
    assert "LEFT: []" in done.stdout, done.stdout
