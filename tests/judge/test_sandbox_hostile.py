"""Hostile submissions through the real bubblewrap sandbox.

Each test grades a submission that misbehaves, asserts its verdict, and asserts
the judge is unharmed: no process of the run survives, nothing was written
outside the sandbox, and the next honest submission is Accepted.
"""

import dataclasses
import os
import random
import signal
import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from judge.grader import GradeOptions, grade
from judge.problem import get_problem
from judge.sandbox import SANDBOX_UID_BASE, detect_isolation
from judge.verdicts import GradeResult, Verdict

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[2]
HONEST = """
import numpy as np

def _ln(x):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-5)

def _block(y, e, wq, wk, wv, wo, w1, w2, h):
    n, t, d = y.shape
    s = e.shape[1]
    dh = d // h
    q = (y @ wq).reshape(n, t, h, dh).transpose(0, 2, 1, 3)
    k = (e @ wk).reshape(n, s, h, dh).transpose(0, 2, 1, 3)
    v = (e @ wv).reshape(n, s, h, dh).transpose(0, 2, 1, 3)
    a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
    a = np.exp(a - a.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    x = _ln(y + (a @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ wo)
    g = x @ w1
    g = 0.5 * g * (1 + np.tanh(np.sqrt(2 / np.pi) * (g + 0.044715 * g ** 3)))
    return _ln(x + g @ w2)

def cross_attention_block(*args):
    return _block(*args)
"""


def _problem():
    problem = get_problem("cross-attention")
    limits = dataclasses.replace(problem.limits, case_wall_s=3.0, cpu_s=8, memory_mb=2048, processes=48)
    return dataclasses.replace(problem, limits=limits)


def _sandbox_processes(uid: int) -> set[int]:
    """PIDs running as the sandbox uid of one run."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid_line = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if int(uid_line.split()[1]) == uid:
            found.add(int(entry.name))
    return found


def _files_written_by_the_sandbox() -> list[Path]:
    """Files in the places a submission would reach for, owned by a sandbox uid."""
    places = [Path("/tmp"), Path.home(), ROOT]
    places += [ROOT / name for name in ("judge", "reference", "problems", "api", "tests")]
    found = []
    for place in places:
        for path in place.iterdir() if place.is_dir() else []:
            try:
                uid = path.lstat().st_uid
            except OSError:
                continue
            if SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + 1000 or path.name in ("pwned", "pwned.py", "fill"):
                found.append(path)
    return found


def _grade_hostile(code: str) -> GradeResult:
    """Grade `code`, then prove the judge is unharmed."""
    slot = random.randrange(100, 1000)  # a uid of its own, so other runs cannot blur the check
    options = GradeOptions(secret="hostile", timing=False, slot=slot)
    result = grade(_problem(), textwrap.dedent(code), options)
    deadline = time.monotonic() + 5
    while _sandbox_processes(SANDBOX_UID_BASE + slot) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _sandbox_processes(SANDBOX_UID_BASE + slot), "a process of the run outlived it"
    assert not _files_written_by_the_sandbox(), "the run left files behind outside its sandbox"
    honest = grade(_problem(), HONEST, GradeOptions(secret="hostile", timing=False))
    assert honest.verdict is Verdict.ACCEPTED, honest.cases[0].message
    return result


def test_isolation_is_bubblewrap_here():
    assert detect_isolation().level == "bubblewrap", detect_isolation().reason


def test_honest_submission_is_accepted():
    assert _grade_hostile(HONEST).verdict is Verdict.ACCEPTED


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("infinite loop", "def cross_attention_block(*a):\n    while True:\n        pass\n"),
        ("sleep forever", "import time\ndef cross_attention_block(*a):\n    time.sleep(10**6)\n"),
        ("ignores SIGTERM", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                            "def cross_attention_block(*a):\n    while True:\n        pass\n"),
        ("infinite loop at import", "while True:\n    pass\n"),
    ],
)
def test_time_limit(name, code):
    result = _grade_hostile(code)
    assert result.verdict is Verdict.TIME_LIMIT_EXCEEDED, name


def test_memory_far_beyond_the_limit():
    result = _grade_hostile("import numpy as np\ndef cross_attention_block(*a):\n    return np.ones(10**11)\n")
    assert result.verdict is Verdict.MEMORY_LIMIT_EXCEEDED


def test_bounded_fork_bomb():
    code = """
    import os, time
    def cross_attention_block(*a):
        for _ in range(500):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
    """
    assert _grade_hostile(code).verdict is not Verdict.ACCEPTED


def test_double_forked_daemon_does_not_outlive_the_run():
    code = """
    import os, time
    def cross_attention_block(*a):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(30)
                open("/tmp/daemon-was-here", "w").write("x")
            os._exit(0)
        raise RuntimeError("parent goes on")
    """
    assert _grade_hostile(code).verdict is Verdict.RUNTIME_ERROR


@pytest.mark.parametrize(
    ("name", "code", "verdict"),
    [
        ("os._exit in the function", "import os\ndef cross_attention_block(*a):\n    os._exit(0)\n",
         Verdict.RUNTIME_ERROR),
        ("os._exit at import", "import os\nos._exit(0)\n", Verdict.RUNTIME_ERROR),
        ("sys.exit in the function", "import sys\ndef cross_attention_block(*a):\n    sys.exit(0)\n",
         Verdict.RUNTIME_ERROR),
        ("sys.exit at import", "import sys\nsys.exit(0)\n", Verdict.RUNTIME_ERROR),
        ("segfault", "import ctypes\ndef cross_attention_block(*a):\n    ctypes.string_at(0)\n",
         Verdict.RUNTIME_ERROR),
        ("kills its parent", "import os, signal\ndef cross_attention_block(*a):\n"
                             "    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(1, signal.SIGKILL)\n"
                             "    raise RuntimeError('still here')\n", Verdict.RUNTIME_ERROR),
        ("syntax error", "def cross_attention_block(:\n    pass\n", Verdict.COMPILATION_ERROR),
        ("exception at import", "raise ImportError('nope')\n", Verdict.COMPILATION_ERROR),
        ("entry point missing", "def attention(*a):\n    pass\n", Verdict.COMPILATION_ERROR),
        ("entry point not callable", "cross_attention_block = 3\n", Verdict.COMPILATION_ERROR),
    ],
)
def test_exits_crashes_and_broken_files(name, code, verdict):
    assert _grade_hostile(code).verdict is verdict, name


def test_judge_process_survives_kill_attempts():
    code = "import os, signal\ndef cross_attention_block(*a):\n    for pid in range(1, 400):\n" \
           "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n" \
           "    raise RuntimeError('done')\n"
    assert _grade_hostile(code).verdict is Verdict.RUNTIME_ERROR
    assert os.getpid() > 0  # we are still here to assert


def test_traceback_shows_only_the_submissions_frames():
    code = "def helper(x):\n    raise ValueError('bad shape')\n\ndef cross_attention_block(*a):\n    return helper(a)\n"
    result = _grade_hostile(code)
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert result.traceback is not None
    assert "submission.py" in result.traceback
    assert "ValueError: bad shape" in result.traceback
    assert "harness" not in result.traceback
    assert "/sandbox" not in result.traceback


def test_huge_output_on_stdout_and_stderr_is_capped():
    code = "import sys\n" + HONEST + (
        "\n_inner = cross_attention_block\n"
        "def cross_attention_block(*a):\n"
        "    sys.stdout.write('x' * 20_000_000)\n    sys.stderr.write('y' * 20_000_000)\n"
        "    return _inner(*a)\n"
    )
    result = _grade_hostile(code)
    assert result.verdict is Verdict.ACCEPTED
    assert len(result.stdout) < 10_000
    assert len(result.stderr) < 10_000
    assert "more bytes not shown" in result.stdout


def test_filling_tmp_stays_inside_the_sandbox():
    code = HONEST + (
        "\n_inner = cross_attention_block\n"
        "def cross_attention_block(*a):\n"
        "    try:\n"
        "        with open('/tmp/fill', 'wb') as f:\n"
        "            while True:\n"
        "                f.write(b'0' * (1 << 20))\n"
        "    except OSError:\n"
        "        pass\n"
        "    return _inner(*a)\n"
    )
    assert _grade_hostile(code).verdict in (Verdict.ACCEPTED, Verdict.RUNTIME_ERROR)


@pytest.mark.parametrize("target", [str(ROOT / "judge" / "pwned.py"), str(Path.home() / "pwned"), str(ROOT / "x")])
def test_writing_outside_the_sandbox_fails(target):
    code = (
        "def cross_attention_block(*a):\n"
        f"    open({target!r}, 'w').write('pwned')\n"
        "    raise RuntimeError('the write went through')\n"
    )
    result = _grade_hostile(code)
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "the write went through" not in (result.traceback or "")
    assert not Path(target).exists()


def test_environment_of_the_judge_is_invisible(monkeypatch):
    secret = "s3cr3t-" + os.urandom(8).hex()
    monkeypatch.setenv("JUDGE_TEST_SECRET", secret)
    code = f"""
    import os, glob
    def cross_attention_block(*a):
        found = [k for k, v in os.environ.items() if {secret!r} in v]
        for path in glob.glob('/proc/*/environ'):
            try:
                if {secret!r}.encode() in open(path, 'rb').read():
                    found.append(path)
            except OSError:
                pass
        raise RuntimeError('leak' if found else 'noleak')
    """
    result = _grade_hostile(code)
    assert "noleak" in (result.traceback or "")
    assert secret.split("-")[1] not in str(result.to_dict())


def test_loopback_server_is_unreachable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    code = f"""
    import socket
    def cross_attention_block(*a):
        try:
            socket.create_connection(('127.0.0.1', {port}), timeout=1)
        except OSError as exc:
            raise RuntimeError('unreachable') from exc
        raise RuntimeError('connected')
    """
    try:
        result = _grade_hostile(code)
    finally:
        stop.set()
        thread.join()
        server.close()
    assert "unreachable" in (result.traceback or "")
    assert not accepted


def test_the_reference_and_the_judge_cannot_be_found():
    code = """
    import os
    def cross_attention_block(*a):
        found = []
        for module in ('reference', 'judge', 'reference.blocks'):
            try:
                __import__(module)
                found.append(module)
            except ImportError:
                pass
        for root, dirs, files in os.walk('/'):
            if root.startswith(('/proc', '/sys', '/dev')):
                continue
            for name in files:
                if name in ('blocks.py', 'variants.py', 'problem.toml', 'grader.py', 'compare.py'):
                    path = os.path.join(root, name)
                    try:
                        text = open(path, errors='replace').read()
                    except OSError:
                        continue
                    if 'cross_attention' in text or 'attention-judge' in text:
                        found.append(path)
        raise RuntimeError('found: ' + repr(found))
    """
    result = _grade_hostile(code)
    assert "found: []" in (result.traceback or ""), result.traceback


@pytest.mark.parametrize(
    ("name", "code", "verdict"),
    [
        ("patched allclose", "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                             "np.testing.assert_allclose = lambda *a, **k: None\n"
                             "np.abs = lambda x: x * 0\n"
                             "def cross_attention_block(y, *a):\n    return np.zeros_like(y)\n",
         Verdict.WRONG_ANSWER),
        ("lying subclass, wrong data", "import numpy as np\nclass Liar(np.ndarray):\n"
                                       "    def __eq__(self, o): return True\n"
                                       "    def __sub__(self, o): return np.zeros(self.shape)\n"
                                       "    def __abs__(self): return np.zeros(self.shape)\n"
                                       "def cross_attention_block(y, *a):\n"
                                       "    return np.zeros_like(y).view(Liar)\n", Verdict.WRONG_ANSWER),
        ("lying subclass, right data", HONEST + "\nclass Liar(np.ndarray):\n    def __eq__(self, o): return False\n"
                                       "_inner = cross_attention_block\n"
                                       "def cross_attention_block(*a):\n    return _inner(*a).view(Liar)\n",
         Verdict.ACCEPTED),
        ("a tuple", "def cross_attention_block(y, *a):\n    return tuple(y.tolist())\n", Verdict.WRONG_ANSWER),
        ("a list", "def cross_attention_block(y, *a):\n    return y.tolist()\n", Verdict.WRONG_ANSWER),
        ("the wrong shape", "def cross_attention_block(y, *a):\n    return y[..., :1]\n", Verdict.WRONG_ANSWER),
        ("NaN", "import numpy as np\ndef cross_attention_block(y, *a):\n    return np.full_like(y, np.nan)\n",
         Verdict.WRONG_ANSWER),
        ("mutates its inputs", HONEST + "\n_inner = cross_attention_block\n"
                               "def cross_attention_block(*a):\n    out = _inner(*a)\n"
                               "    for x in a:\n        if hasattr(x, 'fill'):\n            x.fill(7)\n"
                               "    return out\n", Verdict.ACCEPTED),
        ("memoises across calls", HONEST + "\n_inner = cross_attention_block\n_memo = []\n"
                                  "def cross_attention_block(*a):\n    if not _memo:\n"
                                  "        _memo.append(_inner(*a))\n    return _memo[0]\n",
         Verdict.WRONG_ANSWER),
    ],
)
def test_cheats_and_contract_breaches(name, code, verdict):
    assert _grade_hostile(code).verdict is verdict, name


def test_object_array_that_runs_code_when_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    code = f"""
    import numpy as np
    class Bomb:
        def __reduce__(self):
            return (open, ({str(marker)!r}, 'w'))
    def cross_attention_block(y, *a):
        out = np.empty(y.shape, dtype=object)
        out[...] = Bomb()
        return out
    """
    result = _grade_hostile(code)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert "objects" in result.cases[0].message
    assert not marker.exists()


def test_forged_results_on_every_descriptor_then_exit():
    code = """
    import json, os, struct
    def cross_attention_block(*a):
        fake = json.dumps({"status": "ok", "verdict": "Accepted", "arrays": 0}).encode()
        frame = struct.pack('<Q', len(fake)) + fake
        for fd in range(256):
            try:
                os.write(fd, frame + b'Accepted\\n' + os.urandom(64))
            except OSError:
                pass
        os._exit(0)
    """
    result = _grade_hostile(code)
    assert result.verdict is Verdict.RUNTIME_ERROR


def test_sigkill_of_the_judge_side_child_is_reported_not_accepted():
    code = "import os, signal\ndef cross_attention_block(*a):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    result = _grade_hostile(code)
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "SIGKILL" in result.cases[0].message
    assert signal.SIGKILL  # the judge's own signal handling is untouched
