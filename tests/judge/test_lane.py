"""The timing lane: one comparison at a time, and gradings kept off its cores while it runs."""

import os

import pytest

from judge import lane
from judge.cgroups import CgroupLimits, CgroupTree
from judge.gpu import gpu_device_nodes, gpu_present
from judge.problem import Limits
from judge.sandbox import Extras, bubblewrap_argv, cgroup_tree


def test_cpuset_lists_round_trip():
    assert lane.parse_cpus("0-2,5") == [0, 1, 2, 5]
    assert lane.format_cpus([1, 3]) == "1,3"
    assert lane.parse_cpus("") == []


def test_gradings_get_every_core_but_the_reserved_one_while_the_lane_is_held():
    cores = lane.reserve_for(1)
    if not cores:
        pytest.skip("a single-core host reserves nothing")  # pragma: no cover - these machines have two
    with lane.grading_cpus() as before:
        assert before is None  # control: no comparison, no restriction
    with lane.timing_lane(1, "no cgroups here") as slot:
        assert slot.cores == cores
        with lane.grading_cpus() as during:
            assert during is not None
            assert cores[0] not in lane.parse_cpus(during)
    with lane.grading_cpus() as after:
        assert after is None


def test_a_state_file_left_by_a_killed_lane_is_ignored():
    (lane.lane_dir() / "reserved.cpus").write_text("1")  # as if its holder died before the clean-up
    try:
        with lane.grading_cpus() as cpus:
            assert cpus is None
    finally:
        (lane.lane_dir() / "reserved.cpus").unlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_a_running_grading_is_moved_off_the_reserved_core_and_back():
    tree = cgroup_tree()
    if not isinstance(tree, CgroupTree) or not tree.has("cpuset") or not lane.reserve_for(1):
        pytest.skip("no cpuset controller, or one core")  # pragma: no cover - these machines have both
    grading = tree.create(f"{lane.GRADING_PREFIX}lane-test", CgroupLimits(1 << 30, 16, 1.0))
    cpus = grading.folders["cpuset"] / "cpuset.cpus"
    try:
        everything = cpus.read_text().strip()
        with lane.timing_lane(1, tree) as slot:
            assert slot.enforced
            assert lane.parse_cpus(cpus.read_text()) == [c for c in lane.judge_cores() if c not in slot.cores]
        assert cpus.read_text().strip() == everything
    finally:
        grading.remove()


def test_gpu_nodes_are_found_only_with_the_control_node(tmp_path):
    assert gpu_device_nodes(tmp_path) == []
    assert not gpu_present(tmp_path)
    for name in ("nvidia0", "nvidia-uvm", "nvidia-modeset", "nvidia-caps"):
        (tmp_path / name).touch()
    assert gpu_device_nodes(tmp_path) == []  # no driver control node: no GPU to use
    (tmp_path / "nvidiactl").touch()
    names = [p.name for p in gpu_device_nodes(tmp_path)]
    assert names == ["nvidiactl", "nvidia-uvm", "nvidia-modeset", "nvidia0"]
    assert gpu_present(tmp_path)


def test_only_a_gpu_sandbox_gets_device_nodes(monkeypatch, tmp_path):
    (tmp_path / "nvidiactl").touch()
    (tmp_path / "nvidia0").touch()
    monkeypatch.setattr("judge.sandbox.gpu_device_nodes", lambda: gpu_device_nodes(tmp_path))
    plain = bubblewrap_argv(Limits(), 1)
    gpu = bubblewrap_argv(Limits(), 1, extras=Extras(gpu=True))
    assert "--dev-bind" not in plain
    binds = [gpu[i + 1] for i, arg in enumerate(gpu) if arg == "--dev-bind"]
    assert binds == [str(tmp_path / "nvidiactl"), str(tmp_path / "nvidia0")]


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_a_frozen_sandbox_left_by_a_dead_judge_is_thawed_and_killed():
    import subprocess

    tree = cgroup_tree()
    if not isinstance(tree, CgroupTree) or not tree.has("freezer"):
        pytest.skip("no freezer controller")  # pragma: no cover - these machines have one
    grading = tree.create(f"{lane.GRADING_PREFIX}frozen-test", CgroupLimits(1 << 30, 16, 1.0))
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        for folder in set(grading.folders.values()):
            (folder / "cgroup.procs").write_text(str(sleeper.pid))
        assert grading.freeze()
        # the clean-up of a dead instance sees bare folders, not which controller each belongs to
        for folder in set(grading.folders.values()):
            type(grading)(tree.version, {"": folder}, CgroupLimits(0, 0, 0)).kill(timeout=5)
        assert sleeper.wait(timeout=10) == -9
    finally:
        sleeper.kill()
        grading.remove()
