"""Trusted: the exact table (NumPy float64), the course's float32 arithmetic, and a nominal FLOP count."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from reference.positional import sinusoidal_encoding

__all__ = ["flops", "in_float32", "reference"]


def reference(max_len: int, d_model: int) -> NDArray[np.float64]:
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)), in float64."""
    return sinusoidal_encoding(max_len, d_model)


def in_float32(max_len: int, d_model: int) -> NDArray[np.float32]:
    """The table as the course computes it, every step in float32.

    div_term = exp(arange(0, d, 2) * -(ln(10000) / d)), then sin and cos of
    position * div_term. The rounding of div_term (its exponent reaches -ln(10000))
    is multiplied by the position, so the error grows with max_len.
    """
    position = np.arange(max_len, dtype=np.float32)[:, None]  # (L, 1)
    div_term = np.exp(np.arange(0, d_model, 2, dtype=np.float32) * np.float32(-math.log(10000.0) / d_model))
    angle = position * div_term[None, :]  # (L, d/2), float32
    table = np.empty((max_len, d_model), dtype=np.float32)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle)
    return table


def flops(dims: dict[str, int]) -> int:
    """A nominal 3 operations per element: the angle's product, and the sine or cosine counted as two."""
    return 3 * dims["L"] * dims["d"]
