"""Build the zip to upload as a Gradescope autograder for one problem.

    python scripts/gradescope/make_autograder.py cross-attention --out autograder.zip

The zip holds, at its root, `setup.sh` and `run_autograder` (Gradescope requires them
there), `autograder.env` (the problem and the sandbox policy), `secret` (the course
secret, so that Gradescope grades on the hidden cases the teaching assistants' runs
use), and `attention-judge/`, this repository's tracked files. See docs/gradescope.md.
"""

from __future__ import annotations

import argparse
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def tracked_files(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], check=True, capture_output=True).stdout
    return sorted(name for name in out.decode().split("\0") if name and (repo / name).is_file())


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same inputs give the same zip
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build(slug: str, secret_file: Path, out: Path, allow_unsandboxed: bool) -> None:
    from judge.course_secret import load_or_create
    from judge.problem import get_problem

    get_problem(slug)  # an unknown or broken problem fails here, not on Gradescope
    secret, _ = load_or_create(secret_file)
    with zipfile.ZipFile(out, "w") as zf:
        _add(zf, "setup.sh", (HERE / "setup.sh").read_bytes(), executable=True)
        _add(zf, "run_autograder", (HERE / "run_autograder").read_bytes(), executable=True)
        _add(zf, "autograder.env", f"PROBLEM={slug}\nALLOW_UNSANDBOXED={int(allow_unsandboxed)}\n".encode())
        _add(zf, "secret", (secret + "\n").encode())
        for name in tracked_files(REPO):
            _add(zf, f"attention-judge/{name}", (REPO / name).read_bytes(),
                 executable=bool((REPO / name).stat().st_mode & stat.S_IXUSR))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a Gradescope autograder zip for one problem.")
    parser.add_argument("slug", help="the problem's id, e.g. cross-attention")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write")
    parser.add_argument("--secret-file", type=Path, default=None,
                        help="the course secret to grade with (created if missing); default: the one `judge run` "
                             "uses (JUDGE_SECRET_FILE, else JUDGE_DATA_DIR/secret)")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="if bubblewrap cannot run on Gradescope, grade without it (see docs/gradescope.md)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from judge.settings import JudgeSettings

    build(args.slug, args.secret_file or JudgeSettings().secret_path, args.out, args.allow_unsandboxed)
    print(f"wrote {args.out}: upload it as the autograder of the '{args.slug}' assignment")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
