"""Usage errors: a mistake in how a command was called, reported in one line with exit code 2."""

from __future__ import annotations

from judge.problem import Problem, UnknownProblem, get_problem
from judge.settings import JudgeSettings


class UsageError(Exception):
    """A mistake in how the command was called; reported in one line, exit code 2."""


def problem_or_usage_error(settings: JudgeSettings, slug: str) -> Problem:
    """The problem `slug` names, or a usage error listing the known ones."""
    try:
        return get_problem(slug, settings.problems_dir)
    except UnknownProblem as exc:
        raise UsageError(str(exc)) from exc


__all__ = ["UsageError", "problem_or_usage_error"]
