"""Unit tests of the wire format (judge/wire.py) and the sandbox's command line (judge/sandbox.py)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import sysconfig
import threading
from pathlib import Path

import numpy as np
import pytest

import judge
from judge.probe import probe
from judge.problem import Limits
from judge.sandbox import (
    HARNESS_FILES,
    allowed_package_paths,
    bubblewrap_argv,
    child_environment,
    launch,
)
from judge.wire import (
    WireError,
    array_to_bytes,
    bytes_to_array,
    read_frame,
    receive_message,
    send_message,
    write_frame,
)

REPO = Path(__file__).resolve().parents[2]
JUDGE_DIR = Path(judge.__file__).resolve().parent
BIG = 1 << 30


class Bomb:
    """Pickles as a call that creates `path`: unpickling it anywhere leaves a marker file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


class Pipe:
    """One os.pipe(); each end is closed once, by the test or at teardown."""

    def __init__(self) -> None:
        self.read, self.write = os.pipe()
        self._open = {self.read, self.write}

    def close(self, fd: int) -> None:
        if fd in self._open:
            self._open.discard(fd)
            os.close(fd)

    def close_all(self) -> None:
        for fd in list(self._open):
            self.close(fd)


@pytest.fixture
def pipe():
    ends = Pipe()
    yield ends
    ends.close_all()


def _send_in_thread(write_fd: int, *args) -> threading.Thread:
    """Writers block on a full pipe: send from a thread while the test reads (a closed reader ends it)."""

    def send() -> None:
        with contextlib.suppress(BrokenPipeError):
            send_message(write_fd, *args)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def _pickled_object_array(marker: Path) -> bytes:
    bombs = np.empty(3, dtype=object)
    bombs[:] = [Bomb(str(marker)), Bomb(str(marker)), 7]
    buffer = io.BytesIO()
    np.save(buffer, bombs, allow_pickle=True)
    return buffer.getvalue()


# --- wire: frames --------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [b"", b"x", b"\x00" * 1000, bytes(range(256)) * 100])
def test_frame_round_trip(pipe, payload):
    read_fd, write_fd = pipe.read, pipe.write
    write_frame(write_fd, payload)
    assert read_frame(read_fd, len(payload)) == payload


def test_oversized_frame_is_refused_before_it_is_read(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    os.write(write_fd, struct.pack("<Q", 1 << 40))  # announces a terabyte and sends nothing more
    os.set_blocking(read_fd, False)  # reading the payload would raise BlockingIOError, not hang
    with pytest.raises(WireError, match="over the limit"):
        read_frame(read_fd, 1 << 20)


def test_frame_one_byte_over_the_limit_is_refused(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    write_frame(write_fd, b"x" * 101)
    with pytest.raises(WireError):
        read_frame(read_fd, 100)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x05\x00\x00", struct.pack("<Q", 10) + b"short", struct.pack("<Q", 1 << 16)],
    ids=["empty", "partial-length", "partial-payload", "length-only"],
)
def test_truncated_stream_raises(pipe, data):
    read_fd, write_fd = pipe.read, pipe.write
    os.write(write_fd, data)
    pipe.close(write_fd)
    with pytest.raises(WireError, match="short of a frame"):
        read_frame(read_fd, 1 << 20)


def test_truncated_message_raises(pipe):
    """A header announcing two arrays, then only one, then the end of the stream."""
    read_fd, write_fd = pipe.read, pipe.write
    header = json.dumps({"status": "ok", "arrays": 2}).encode()
    write_frame(write_fd, header)
    write_frame(write_fd, array_to_bytes(np.ones(3, np.float32)))
    pipe.close(write_fd)
    with pytest.raises(WireError):
        receive_message(read_fd, 1 << 20, 1 << 20)


# --- wire: messages ------------------------------------------------------------------------------

ARRAYS = [
    np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    np.arange(24, dtype=np.float64).reshape(4, 6).T,  # not contiguous
    np.array([[True, False], [False, True]]),
    np.array(3, dtype=np.int64),  # 0-d
    np.zeros((0, 5), dtype=np.float32),  # empty
    np.arange(6, dtype=">f4"),  # big-endian
    np.random.default_rng(0).standard_normal((64, 300, 8)).astype(np.float32),  # over a pipe's buffer
]


def test_message_round_trip(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    header = {"op": "call", "args": [{"kind": "array"}, {"kind": "int", "value": 3}], "nonce": "abc"}
    thread = _send_in_thread(write_fd, header, ARRAYS)
    got_header, got_arrays = receive_message(read_fd, 1 << 20, 1 << 28)
    thread.join(timeout=10)
    assert got_header == {**header, "arrays": len(ARRAYS)}
    assert len(got_arrays) == len(ARRAYS)
    for sent, got in zip(ARRAYS, got_arrays, strict=True):
        assert type(got) is np.ndarray
        assert got.dtype == sent.dtype
        assert got.shape == sent.shape
        np.testing.assert_array_equal(got, sent)


def test_message_without_arrays(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    send_message(write_fd, {"status": "ready"})
    assert receive_message(read_fd, 1 << 10, 1 << 10) == ({"status": "ready", "arrays": 0}, [])


def test_oversized_header_is_refused(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    thread = _send_in_thread(write_fd, {"code": "x" * 5000})
    with pytest.raises(WireError, match="over the limit"):
        receive_message(read_fd, 4096, BIG)
    pipe.close(read_fd)  # unblock the writer
    thread.join(timeout=10)


def test_oversized_array_is_refused(pipe):
    read_fd, write_fd = pipe.read, pipe.write
    thread = _send_in_thread(write_fd, {"status": "ok"}, [np.zeros(10_000, np.float64)])
    with pytest.raises(WireError, match="over the limit"):
        receive_message(read_fd, 1 << 20, 50_000)
    pipe.close(read_fd)
    thread.join(timeout=10)


@pytest.mark.parametrize(
    "header",
    [b"not json", b"\xff\xfe", b"[1, 2]", b'{"status": "ok"}', b'{"arrays": "1"}', b'{"arrays": 65}',
     b'{"arrays": -1}', b"null"],
)
def test_malformed_header_is_refused(pipe, header):
    read_fd, write_fd = pipe.read, pipe.write
    write_frame(write_fd, header)
    with pytest.raises(WireError):
        receive_message(read_fd, 1 << 20, 1 << 20)


# --- wire: nothing is ever unpickled -------------------------------------------------------------


def test_object_npy_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    data = _pickled_object_array(marker)
    assert b"unpickled" in data  # the bytes do carry the pickled call
    with pytest.raises(WireError):
        bytes_to_array(data)
    assert not marker.exists()
    with pytest.raises(ValueError):  # control: what allow_pickle=False guards against
        np.load(io.BytesIO(data), allow_pickle=False)
    assert not marker.exists()


def test_object_npy_in_a_message_is_refused_without_unpickling(pipe, tmp_path):
    read_fd, write_fd = pipe.read, pipe.write
    marker = tmp_path / "unpickled"
    write_frame(write_fd, json.dumps({"status": "ok", "arrays": 1}).encode())
    write_frame(write_fd, _pickled_object_array(marker))
    with pytest.raises(WireError):
        receive_message(read_fd, 1 << 20, 1 << 20)
    assert not marker.exists()


def test_structured_dtype_with_an_object_field_is_refused(tmp_path):
    marker = tmp_path / "unpickled"
    record = np.empty(2, dtype=[("x", np.float32), ("payload", object)])
    record["payload"] = [Bomb(str(marker)), Bomb(str(marker))]
    buffer = io.BytesIO()
    np.save(buffer, record, allow_pickle=True)
    with pytest.raises(WireError):
        bytes_to_array(buffer.getvalue())
    assert not marker.exists()


def test_sending_an_object_array_is_refused():
    with pytest.raises(ValueError):
        array_to_bytes(np.array([object()], dtype=object))


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"\x93NUMPY\x01\x00" + b"\xff" * 20,
     np.lib.format.magic(1, 0) + b"\x10\x00{'descr': '<f4'}  \n",
     array_to_bytes(np.ones(100, np.float32))[:-10]],
    ids=["empty", "garbage", "bad-header", "incomplete-header", "truncated-data"],
)
def test_invalid_npy_raises_wire_error(data):
    with pytest.raises(WireError):
        bytes_to_array(data)


def test_npz_archive_is_not_a_single_array():
    buffer = io.BytesIO()
    np.savez(buffer, a=np.ones(3))
    with pytest.raises(WireError):
        bytes_to_array(buffer.getvalue())


# --- sandbox -------------------------------------------------------------------------------------

BIND_FLAGS = ("--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try")


def _binds(argv: list[str]) -> list[tuple[int, str, str, str]]:
    """(position, flag, source, destination) of every bind mount."""
    return [(i, argv[i], argv[i + 1], argv[i + 2]) for i in range(len(argv) - 2) if argv[i] in BIND_FLAGS]


def _site_dirs() -> set[Path]:
    paths = sysconfig.get_paths()
    return {Path(paths[k]).resolve() for k in ("purelib", "platlib")}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@pytest.fixture(scope="module")
def argv() -> list[str]:
    return bubblewrap_argv(Limits(), threads=1)


@pytest.mark.sandbox
def test_the_real_launch_path_works_here():
    result = probe()
    assert result.ok, result.line
    assert result.isolation.level == "bubblewrap"


@pytest.mark.sandbox
@pytest.mark.parametrize("flag", ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                                  "--new-session", "--clearenv"])
def test_bubblewrap_argv_has_the_isolation_flags(argv, flag):
    assert flag in argv


@pytest.mark.sandbox
def test_bubblewrap_argv_drops_capabilities_and_root(argv):
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[argv.index("--uid") + 1] != "0"
    assert argv[argv.index("--gid") + 1] != "0"
    assert "--share-net" not in argv


@pytest.mark.sandbox
def test_bubblewrap_argv_binds_nothing_writable(argv):
    assert [b for b in _binds(argv) if b[1] != "--ro-bind"] == []


@pytest.mark.sandbox
def test_bubblewrap_argv_does_not_bind_the_project(argv):
    harness_files = {f.resolve() for f in HARNESS_FILES}
    for _, _, source, destination in _binds(argv):
        path = Path(source).resolve()
        assert not _inside(REPO, path), f"{source} shows the project folder {REPO}"
        if _inside(path, REPO):
            assert path in harness_files, f"{source} is part of the project"
            assert destination.startswith("/sandbox/")
    assert {Path(s).resolve() for _, _, s, _ in _binds(argv)} >= harness_files


@pytest.mark.sandbox
def test_bubblewrap_argv_does_not_bind_site_packages_wholesale(argv):
    binds = _binds(argv)
    for site in _site_dirs():
        assert not [s for _, _, s, _ in binds if Path(s).resolve() == site], f"{site} is bound as a whole"
        covering = [i for i, _, s, _ in binds if _inside(site, Path(s).resolve())]
        if covering:  # an ancestor (the interpreter's prefix) is bound: site-packages must be hidden after it
            hidden = [i for i in range(len(argv) - 1) if argv[i] == "--tmpfs" and Path(argv[i + 1]).resolve() == site]
            assert hidden, f"{site} is visible through {covering}"
            assert max(hidden) > max(covering)


@pytest.mark.sandbox
def test_bubblewrap_argv_hides_tmp_and_is_read_only(argv):
    tmp = argv.index("/tmp", argv.index("--proc"))
    assert argv[tmp - 1] == "--tmpfs"
    assert argv[tmp - 3:tmp - 1] == ["--size", str(Limits().tmp_mb << 20)]
    remounts = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--remount-ro"]
    assert {"/", "/dev"} <= set(remounts)
    assert argv[argv.index("--proc") + 1] == "/proc"


@pytest.mark.sandbox
def test_every_tmpfs_has_a_size_and_the_hiding_ones_are_read_only(argv):
    remounts = {argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--remount-ro"}
    for i in range(len(argv) - 1):
        if argv[i] == "--tmpfs":
            assert argv[i - 2] == "--size", f"the tmpfs at {argv[i + 1]} has no size"
            assert argv[i + 1] == "/tmp" or argv[i + 1] in remounts, f"the tmpfs at {argv[i + 1]} is writable"


@pytest.mark.sandbox
def test_the_child_environment_is_only_its_own(argv, monkeypatch):
    monkeypatch.setenv("JUDGE_TEST_SECRET", "s3cr3t-env")
    env = child_environment(threads=1)
    assert set(env) == {"HOME", "PATH", "LANG", "PYTHONDONTWRITEBYTECODE", "OMP_NUM_THREADS",
                        "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"}
    fresh = bubblewrap_argv(Limits(), threads=1)
    assert not any("s3cr3t" in a or "JUDGE_TEST_SECRET" in a for a in fresh)
    set_env = {fresh[i + 1]: fresh[i + 2] for i in range(len(fresh) - 2) if fresh[i] == "--setenv"}
    assert set_env == env


@pytest.mark.sandbox
def test_launch_passes_no_environment_and_the_fds(monkeypatch):
    monkeypatch.setenv("JUDGE_TEST_SECRET", "s3cr3t-env")
    plan = launch(7, 9, Limits(), threads=1)
    try:
        assert plan.isolation.level == "bubblewrap"
        assert plan.env == {}
        assert plan.argv[-3:-1] == ["7", "9"]
        assert plan.argv[-4] == "/sandbox/harness.py"
        assert not any("s3cr3t" in a for a in plan.argv)
    finally:
        plan.release()


@pytest.mark.sandbox
def test_allowed_package_paths_are_numpy_torch_and_their_requirements():
    paths = allowed_package_paths()
    names = {p.name for p in paths}
    assert {"numpy", "torch"} <= names
    for forbidden in ("judge", "reference", "api", "attention_judge", "problems", "tests"):
        assert forbidden not in names
    for path in paths:
        assert not _inside(path, REPO), path
        assert not _inside(REPO, path), path
        assert path.resolve() not in _site_dirs(), path
        assert "__editable__" not in path.name, path
        assert not path.name.endswith((".dist-info", ".egg-info", ".pth", ".egg-link")), path


@pytest.mark.sandbox
def test_allowed_package_paths_are_bound_under_the_sandbox_site(argv):
    bound = {Path(s).resolve(): d for _, _, s, d in _binds(argv)}
    for path in allowed_package_paths():
        assert bound[path.resolve()] == f"/sandbox/site/{path.name}"
