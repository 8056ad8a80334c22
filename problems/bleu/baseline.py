"""Trusted: the speed baseline, plain Python with collections.Counter (BLEU has no Torch formulation worth timing).

It returns a Python float; submissions are timed against it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

__all__ = ["baseline"]


def baseline(candidates: Sequence[Sequence[int]], references: Sequence[Sequence[int]]) -> float:
    matches = [0, 0, 0, 0]
    totals = [0, 0, 0, 0]
    c = r = 0
    for cand, ref in zip(candidates, references, strict=True):
        c += len(cand)
        r += len(ref)
        for n in range(1, 5):
            cand_grams = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_grams = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum((cand_grams & ref_grams).values())  # & keeps the smaller count: clipping
            totals[n - 1] += max(len(cand) - n + 1, 0)
    if c == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / 4
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return brevity * math.exp(log_precision)
