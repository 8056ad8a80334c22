"""A student's Jupyter notebook as one Python source: its code cells in order, without IPython-only lines.

nbformat reads and validates the file (any version-4 notebook, whatever wrote
it). IPython syntax is not Python: a `%magic` or `!shell` line would make the
whole submission a Compilation Error, so such lines are dropped (and a `%%`
cell magic drops its cell). Every drop is reported, so that the teaching
assistant sees what the judge did not run.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# IPython-only lines: %line magics, !shell commands, `x = !cmd` / `x = %magic` captures, and ?help / help?
_IPYTHON_LINE = re.compile(r"^\s*([%!]|[A-Za-z_][\w., ]*=\s*[%!]|\?+\s*[\w.]+\s*$|[\w.]+\s*\?+\s*$)")


class NotebookError(ValueError):
    """A file that is not a readable notebook; the message says why, in one line."""


@dataclass
class NotebookSource:
    """What the judge runs of a notebook, and what it left out."""

    code: str
    cells: int  # code cells joined
    dropped: list[str] = field(default_factory=list)  # the IPython-only lines left out, as written

    def note(self) -> str | None:
        """One line for the report, when something was left out."""
        if not self.dropped:
            return None
        shown = "; ".join(line.strip()[:60] for line in self.dropped[:3])
        more = f" and {len(self.dropped) - 3} more" if len(self.dropped) > 3 else ""
        return f"notebook: {len(self.dropped)} IPython-only line(s) not run ({shown}{more})"


def _cell_source(source: str, dropped: list[str]) -> str:
    if source.lstrip().startswith("%%"):  # a cell magic: the whole cell is another language or an IPython feature
        dropped.append(source.strip().splitlines()[0] + " (whole cell)")
        return ""
    kept: list[str] = []
    for line in source.splitlines():
        if _IPYTHON_LINE.match(line):
            dropped.append(line)
            # keep the indentation valid inside a block (`if x:` then `!pip ...`) and the line numbers aligned
            kept.append(line[: len(line) - len(line.lstrip())] + "pass  # IPython-only line not run")
        else:
            kept.append(line)
    return "\n".join(kept)


def read_notebook(path: Path) -> NotebookSource:
    """The notebook's code cells joined in order, each after a `# cell N` marker, IPython-only lines dropped."""
    try:
        with warnings.catch_warnings():  # nbformat warns of missing cell ids in old notebooks: not our concern
            warnings.simplefilter("ignore")
            notebook = nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"cannot read the notebook: {exc}") from exc
    except Exception as exc:  # nbformat raises JSON, validation and version errors of several types
        raise NotebookError(f"not a readable Jupyter notebook: {type(exc).__name__}: {str(exc)[:200]}") from exc
    dropped: list[str] = []
    parts: list[str] = []
    cells = 0
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):  # nbformat normalises this, but a hand-made file may still hold a list
            source = "".join(source)
        cells += 1
        parts.append(f"# cell {index + 1}\n{_cell_source(str(source), dropped)}\n")
    return NotebookSource(code="\n".join(parts), cells=cells, dropped=dropped)


__all__ = ["NotebookError", "NotebookSource", "read_notebook"]
