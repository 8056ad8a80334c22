"""attention-judge's core: problems, sandboxed grading, comparison and reports. Never imports FastAPI."""

from judge.grader import GradeOptions, grade
from judge.problem import Problem, ProblemError, UnknownProblem, discover, get_problem
from judge.verdicts import CaseResult, GradeResult, Verdict

__all__ = [
    "CaseResult",
    "GradeOptions",
    "GradeResult",
    "Problem",
    "ProblemError",
    "UnknownProblem",
    "Verdict",
    "discover",
    "get_problem",
    "grade",
]
