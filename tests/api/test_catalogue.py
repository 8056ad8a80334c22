"""The live catalogue: a course's own problem directory beside the shipped one, a problem added while the
server runs, and a broken folder that students never see and admins see with its reason."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from judge.problem import DEFAULT_PROBLEMS_DIR
from tests.api.conftest import account, make_settings, submit


def _add_problem(course: Path, slug: str) -> Path:
    """A new problem in the course's directory: the cross-attention folder under another name."""
    folder = course / slug
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", folder, ignore=shutil.ignore_patterns("solutions"))
    manifest = folder / "problem.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'title = "Post-LN cross-attention block"', 'title = "A course block"'), encoding="utf-8")
    return folder


@pytest.fixture
def course_service(tmp_path: Path):
    course = tmp_path / "course-problems"
    (course / "half-written").mkdir(parents=True)
    (course / "half-written" / "problem.toml").write_text('title = "Draft"\n', encoding="utf-8")
    roots = os.pathsep.join([str(DEFAULT_PROBLEMS_DIR), str(course)])
    with TestClient(create_app(make_settings(tmp_path / "data", problems_dir=roots))) as client:
        yield client, course


@pytest.mark.sandbox
def test_a_problem_added_to_a_course_directory_is_served_and_graded_without_a_restart(course_service):
    client, course = course_service
    assert "course-block" not in {p["slug"] for p in client.get("/problems").json()}
    _add_problem(course, "course-block")
    listed = {p["slug"]: p["title"] for p in client.get("/problems").json()}
    assert listed["course-block"] == "A course block"
    assert "cross-attention" in listed  # the shipped directory is still searched first
    student = account(client)
    answer = submit(client, student, problem="course-block")
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "Accepted"
    # the author renames the entry point: the running workers grade against the edited folder
    manifest = course / "course-block" / "problem.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'entry_point = "cross_attention_block"', 'entry_point = "course_block"'), encoding="utf-8")
    edited = submit(client, student, problem="course-block").json()
    assert edited["verdict"] == "Compilation Error"
    assert "no function named 'course_block'" in str(edited)


def test_a_broken_folder_is_invisible_to_students_and_harms_no_other_problem(course_service):
    client, course = course_service
    answer = client.get("/problems")
    assert answer.status_code == 200
    assert "half-written" not in {p["slug"] for p in answer.json()}
    assert "cross-attention" in {p["slug"] for p in answer.json()}
    for response in (client.get("/problems/half-written"),
                     submit(client, account(client), problem="half-written", wait=False)):
        assert response.status_code == 404
        assert "unknown problem 'half-written'" in response.json()["detail"]
        assert str(course) not in response.text  # no server path for students


def test_admins_see_the_broken_folder_with_its_reason(course_service):
    client, _ = course_service
    assert client.get("/admin/problems", headers=account(client)).status_code == 403
    assert client.get("/admin/problems").status_code == 401
    folders = client.get("/admin/problems", headers=account(client, "admin")).json()
    broken = [f for f in folders if f["status"] == "broken"]
    assert [f["slug"] for f in broken] == ["half-written"]
    assert "half-written/problem.toml: field 'benchmark': missing" in broken[0]["reason"]
    assert {f["slug"] for f in folders if f["status"] == "served"} >= {"cross-attention", "encoder-layer"}


# ---- the check gate: a problem is served once judge check passes on its content ---------------------------------


def _small_problem(course: Path, slug: str, correct: str = "numpy_float32.py") -> Path:
    """A copy of cross-attention with two solutions, so that its check takes seconds."""
    folder = course / slug
    source = DEFAULT_PROBLEMS_DIR / "cross-attention"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("solutions"))
    (folder / "solutions" / "correct").mkdir(parents=True)
    (folder / "solutions" / "wrong").mkdir()
    shutil.copy(source / "solutions" / "correct" / "numpy_float32.py", folder / "solutions" / "correct" / correct)
    shutil.copy(source / "solutions" / "wrong" / "no_scale.py", folder / "solutions" / "wrong" / "no_scale.py")
    return folder


def _status(client: TestClient, slug: str) -> dict[str, str]:
    folders = client.get("/admin/problems", headers=account(client, "admin")).json()
    return next(f for f in folders if f["slug"] == slug)


def _eventually(test, seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "the watcher did not get there in time"
        time.sleep(0.5)


@pytest.mark.sandbox
def test_a_problem_is_served_only_once_its_check_passes_and_a_failing_one_never(tmp_path: Path):
    course = tmp_path / "course"
    course.mkdir()
    settings = make_settings(tmp_path / "data", problems_dir=str(course), require_check=True,
                             check_interval_s=0.2, check_cache_dir=tmp_path / "checks")
    with TestClient(create_app(settings)) as client:
        student = account(client)
        _small_problem(course, "checked-block")
        # a problem whose "wrong" solution is filed as correct: its check fails, so it is never served
        failing = _small_problem(course, "failing-block")
        shutil.copy(failing / "solutions" / "wrong" / "no_scale.py", failing / "solutions" / "correct" / "bad.py")

        assert _status(client, "checked-block")["status"] in ("unchecked", "checking")
        assert client.get("/problems/checked-block").status_code == 404  # not before its check
        _eventually(lambda: "checked-block" in {p["slug"] for p in client.get("/problems").json()})
        assert _status(client, "checked-block")["status"] == "served"
        answer = submit(client, student, problem="checked-block")
        assert answer.json()["verdict"] == "Accepted"

        _eventually(lambda: _status(client, "failing-block")["status"] == "failed")
        assert "correct/bad.py" in _status(client, "failing-block")["reason"]
        assert "failing-block" not in {p["slug"] for p in client.get("/problems").json()}
        assert submit(client, student, problem="failing-block", wait=False).status_code == 404

        # an edit is a new content: the folder is hidden until it passes again
        statement = course / "checked-block" / "statement.md"
        statement.write_text(statement.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        assert _status(client, "checked-block")["status"] in ("unchecked", "checking")
        _eventually(lambda: _status(client, "checked-block")["status"] == "served")
    # the results are kept by content: a second server serves the passed problem at once
    with TestClient(create_app(make_settings(tmp_path / "data2", problems_dir=str(course), require_check=True,
                                             check_interval_s=60, check_cache_dir=tmp_path / "checks"))) as again:
        assert "checked-block" in {p["slug"] for p in again.get("/problems").json()}
