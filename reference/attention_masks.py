"""Masked scaled dot-product attention in any float dtype, and the ways a mask and a softmax go wrong.

Shared by the `scaled-dot-product-attention` and `multi-head-attention` problems.
Everything computes in the dtype of its inputs (float64 for the references,
float32 for `in_float32` and for a mistake's own float32 arithmetic); the
defaults are the correct computation.

A `blocked` mask broadcasts to the scores (..., T_q, T_k) and is True where a
query may NOT attend a key. A line of the softmax that keeps no entry gets
all-zero weights (as torch's `scaled_dot_product_attention` gives a fully masked
row), never NaN; the correct mask never leaves a query without a key, so only
the mistakes meet such a line.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.floating]
Blocked = NDArray[np.bool_]

MaskUse = Literal["before", "ignored", "inverted", "inverted_fill", "after_zero", "after_renormalise"]
MASK_USES: tuple[str, ...] = ("before", "ignored", "inverted", "inverted_fill", "after_zero", "after_renormalise")


def masked_softmax(
    scores: Floats,
    blocked: Blocked | None,
    *,
    mask: MaskUse = "before",
    axis: int = -1,
    max_subtraction: bool = True,
) -> Floats:
    """The attention weights: a softmax of `scores` over `axis`, with `blocked` used as `mask` says.

    - "before" (right): blocked scores become -inf before the softmax, so they get zero weight.
    - "ignored": the mask is not used at all.
    - "inverted": True read as "may attend" (torch's convention for a bool `attn_mask`),
      so a query attends exactly the keys it must not; one that may see nothing gets zeros.
    - "inverted_fill": inverted, written as masked_fill(mask == 0, -1e9): a query that
      may see nothing gets uniform weights over every key instead.
    - "after_zero": a softmax over every key, then the blocked weights set to zero; the
      rest no longer sum to 1.
    - "after_renormalise": as "after_zero", then divided by the weights' new sum. Equal to
      the right answer in exact arithmetic, but when a blocked key's score dominates, the
      kept weights underflow and the sum is 0: 0/0 gives NaN.

    Without `max_subtraction`, exp runs on the raw scores: it overflows to inf (and the
    weights to NaN) once a score passes log(max float), about 88.7 in float32.
    """
    hidden = None
    if blocked is not None:
        hidden = {"before": blocked, "inverted": ~blocked}.get(mask)
    if blocked is not None and mask == "inverted_fill":
        scores = np.where(blocked, scores, -1e9)  # finite: a line that keeps nothing is uniform, not empty
    if hidden is not None:
        scores = np.where(hidden, -np.inf, scores)  # a Python float keeps the scores' dtype
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if max_subtraction:
            top = scores.max(axis=axis, keepdims=True)
            top = np.where(np.isneginf(top), 0.0, top)  # a line that keeps nothing: exp(-inf) = 0 there
            e = np.exp(scores - top)
        else:
            e = np.exp(scores)
        weights = e / e.sum(axis=axis, keepdims=True)
        if hidden is not None:
            weights = np.where(np.all(hidden, axis=axis, keepdims=True), 0.0, weights)
        if blocked is not None and mask in ("after_zero", "after_renormalise"):
            weights = np.where(blocked, 0.0, weights)
            if mask == "after_renormalise":
                weights = weights / weights.sum(axis=axis, keepdims=True)
    return weights


def scaled_dot_product(
    q: Floats,
    k: Floats,
    v: Floats,
    blocked: Blocked | None,
    *,
    divisor: float | None = None,
    mask: MaskUse = "before",
    axis: int = -1,
    max_subtraction: bool = True,
) -> Floats:
    """softmax(q kᵀ / divisor) @ v over the last two axes, in the dtype of q.

    q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v) -> (..., T_q, d_v).
    `divisor` defaults to sqrt(d_k); 1.0 is no scaling. `blocked`, `mask`, `axis`
    (-1 the keys, right; -2 the queries, a mistake) and `max_subtraction` go to
    `masked_softmax`.
    """
    scores = q @ np.swapaxes(k, -1, -2)  # (..., T_q, T_k)
    d = float(np.sqrt(q.shape[-1])) if divisor is None else float(divisor)
    scores = scores / np.asarray(d, dtype=scores.dtype)
    weights = masked_softmax(scores, blocked, mask=mask, axis=axis, max_subtraction=max_subtraction)
    return weights @ v  # (..., T_q, d_v)
