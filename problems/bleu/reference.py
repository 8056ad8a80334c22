"""Trusted: the exact corpus BLEU-4, from its definition (integer counts, an exact product, one root, one exp).

There is no `in_float32`: a correct answer computes in float64 (Python floats are),
and the tolerance is the float64 rounding of a few operations (see problem.toml).
There is no `flops` either: counting n-grams is not floating-point work.
"""

from __future__ import annotations

from collections.abc import Sequence

from reference.bleu import corpus_bleu

__all__ = ["reference"]


def reference(candidates: Sequence[Sequence[int]], references: Sequence[Sequence[int]]) -> float:
    """BLEU-4 with uniform weights, one reference per candidate, no smoothing; 0.0 when undefined."""
    return corpus_bleu(candidates, references)
