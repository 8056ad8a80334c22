"""What the result page shows, computed from a stored submission: plain values for the templates.

The words for a speed figure come from the judge's own summary (`indistinguishable
from the reference` when the interval holds 1); this module only arranges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.store import DONE, Submission
from judge.verdicts import Verdict

VERDICT_STYLE = {  # a class for the colour; the text always says the verdict too
    str(Verdict.ACCEPTED): "good",
    str(Verdict.WRONG_ANSWER): "bad",
    str(Verdict.INTERNAL_ERROR): "judge",
}
SPEED_WAITING = {"pending", "running"}


@dataclass
class Speed:
    """The speed comparison in words."""

    state: str  # "off", "pending", "running", "done", "failed" or "skipped"
    headline: str
    lines: list[str] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return self.state in SPEED_WAITING


def speed_of(submission: Submission, timing: dict[str, Any] | None) -> Speed:
    if not submission.timing:
        return Speed("off", "Not measured: timing was not asked for with this submission.")
    if timing is None:
        if submission.status == DONE:
            return Speed("skipped", "Not measured.")
        return Speed("pending", "Measured once the verdict is in.")
    state = str(timing.get("status", "pending"))
    reason = str(timing.get("reason") or "")
    if state == "pending":
        return Speed(state, "Waiting for the timing lane" + (f": {reason}" if reason else "."))
    if state == "running":
        return Speed(state, "Measuring against the Torch reference…")
    if state != "done":
        label = "The timed run did not match" if state == "failed" else "Not measured"
        return Speed(state, f"{label}" + (f": {reason}" if reason else "."))
    lines = []
    interval = timing.get("speedup_ci95")
    if isinstance(interval, list) and len(interval) == 2:
        lines.append(f"95% confidence interval of the speed-up: {interval[0]:.2f}× to {interval[1]:.2f}×")
    yours, theirs = timing.get("submission_seconds"), timing.get("reference_seconds")
    if isinstance(yours, int | float) and isinstance(theirs, int | float):
        lines.append(f"Yours {yours * 1e3:.2f} ms, the Torch reference {theirs * 1e3:.2f} ms, "
                     f"over {timing.get('samples')} timed pairs on {timing.get('device')} "
                     f"({timing.get('threads')} thread(s)).")
    if timing.get("implausible"):
        lines.append("Over 10× faster: flagged as implausible and not ranked.")
    lines.extend(str(note) for note in timing.get("notes", []))
    return Speed(state, str(timing.get("summary", "")), lines)


@dataclass
class ResultView:
    """A submission's result page."""

    submission: Submission
    result: dict[str, Any]
    speed: Speed

    @property
    def done(self) -> bool:
        return self.submission.status == DONE

    @property
    def verdict_style(self) -> str:
        return VERDICT_STYLE.get(self.submission.verdict or "", "error")

    @property
    def internal_error(self) -> bool:
        return self.submission.verdict == str(Verdict.INTERNAL_ERROR)

    @property
    def cases(self) -> list[dict[str, Any]]:
        return list(self.result.get("cases", []))


def result_view(submission: Submission) -> ResultView:
    result = submission.result()
    return ResultView(submission, result, speed_of(submission, result.get("timing")))
