"""`judge new`: start a problem folder from an existing one, ready for an author to fill in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from judge.problem import ProblemError, UnknownProblem, discover, get_problem, load_problem, problem_roots
from judge.problem_code import BASELINE_FILE, MISTAKES_FILE, REFERENCE_FILE

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

SOLUTIONS_README = """\
# Solutions that `judge check` grades through the sandbox

- `correct/`: files that must be Accepted. Write at least three styles (plain NumPy
  in float32, NumPy in float64, Torch).
- `wrong/`: files that must not be. Each file's module docstring names its mistake
  in one sentence and declares the verdict it must get, on a line of its own:

      Verdict: Wrong Answer

  (or Compilation Error, Runtime Error, Time Limit Exceeded, Memory Limit Exceeded).
  A Wrong Answer also declares the mistake the judge must name, from the manifest's
  [[mistakes]] (two as `a+b`), or `none` for a mistake outside the catalogue:

      Mistake: no-scale

Solutions are student code: they may import NumPy, Torch and the standard library,
never `reference` or `judge`.
"""


def scaffold(root: Path | str, slug: str, template: str | None = None, into: Path | None = None) -> Path:
    """Create a problem folder `slug` from the problem `template` (or the first problem under `root`).

    It goes into `into`, else the last of the problem directories (a course's own
    comes after the shipped one). The manifest, statement, starter and trusted code
    are copied; the solutions are left for the author.
    """
    if not _SLUG.match(slug):
        raise ProblemError(f"{slug!r} is not a slug: use lowercase words joined by '-', e.g. 'masked-attention'")
    roots = problem_roots(root)
    if template is None:
        served = discover(root)
        if not served:
            raise ProblemError(f"no problem to start from in {root}: give one with --from")
        template = next(iter(served))
    try:
        source = get_problem(template, root).folder
    except UnknownProblem as exc:
        raise ProblemError(f"no problem {template!r} to start from: {exc}") from None
    target = (into or roots[-1]) / slug
    if target.exists():
        raise ProblemError(f"{target} already exists")
    target.mkdir(parents=True)
    manifest = (source / "problem.toml").read_text(encoding="utf-8")
    manifest = re.sub(r'^title = ".*"$', f'title = "{slug.replace("-", " ").capitalize()}"', manifest,
                      count=1, flags=re.MULTILINE)
    banner = (f"# Started from {template!r} by `judge new`. Change the entry point, arguments, cases,\n"
              "# mistakes and the trusted code (reference.py, baseline.py, mistakes.py) to your block's,\n"
              f"# then run `judge check {slug}`.\n")
    (target / "problem.toml").write_text(banner + manifest, encoding="utf-8")
    for name in ("statement.md", "starter.py", REFERENCE_FILE, BASELINE_FILE, MISTAKES_FILE):
        if (source / name).is_file():
            shutil.copyfile(source / name, target / name)
    for kind in ("correct", "wrong"):
        (target / "solutions" / kind).mkdir(parents=True)
    (target / "solutions" / "README.md").write_text(SOLUTIONS_README, encoding="utf-8")
    load_problem(target)  # what we wrote must load
    return target
