"""The statistics of a speed comparison: per-pair ratios in, one figure with an honest interval out.

Each timed pair ran the reference and the submission back to back on the same
fresh inputs, so its ratio cancels drift that hits both. Ratios are summarised
on a log scale (a 2x speedup and a 2x slowdown are symmetric) by a 20% trimmed
mean, so that one pair hit by an interrupt cannot move the figure, with Yuen's
interval (the winsorised standard error and Student's t). Fewer than
`MIN_FOR_INTERVAL` pairs get no interval at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_FOR_INTERVAL = 3
TRIM = 0.2
# Student's t, two-sided 95%, by degrees of freedom; beyond the table the normal value
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (rounded to a safe, larger value)."""
    if df < 1:
        return math.inf
    below = [k for k in _T975 if k <= df]
    return _T975[max(below)] if df <= 120 else 1.96


@dataclass(frozen=True)
class Summary:
    """One comparison's figure."""

    speedup: float  # reference time / submission time; over 1 is faster than the reference
    low: float | None  # 95% interval of the speedup, None under MIN_FOR_INTERVAL pairs
    high: float | None
    samples: int

    @property
    def indistinguishable(self) -> bool:
        """The interval contains 1: the data cannot tell the two apart."""
        return self.low is not None and self.high is not None and self.low <= 1.0 <= self.high

    @property
    def relative_half_width(self) -> float:
        """Half the interval's width on the log scale (0.03 is about +-3%); infinite without an interval."""
        if self.low is None or self.high is None:
            return math.inf
        return (math.log(self.high) - math.log(self.low)) / 2


def summarise(ratios: Sequence[float]) -> Summary:
    """The trimmed geometric mean of per-pair speedups, with Yuen's 95% interval."""
    logs = np.sort(np.log(np.asarray(ratios, dtype=np.float64)))
    n = len(logs)
    if n == 0:
        raise ValueError("no timed pairs to summarise")
    g = int(TRIM * n)
    kept = logs[g:n - g]
    centre = float(kept.mean())
    if n < MIN_FOR_INTERVAL:
        return Summary(math.exp(centre), None, None, n)
    winsorised = np.clip(logs, logs[g], logs[n - g - 1])
    h = n - 2 * g
    se = math.sqrt(float(winsorised.var(ddof=1)) * (n - 1) / (h * (h - 1))) if h > 1 else math.inf
    half = t975(h - 1) * se
    return Summary(math.exp(centre), math.exp(centre - half), math.exp(centre + half), n)


def describe(summary: Summary) -> str:
    """The figure in words a student reads first."""
    if summary.indistinguishable:
        return f"indistinguishable from the reference ({summary.speedup:.2f}x)"
    if summary.speedup >= 1:
        return f"{summary.speedup:.2f}x faster than the reference"
    return f"{1 / summary.speedup:.2f}x slower than the reference"
