"""The sinusoidal positional encoding of "Attention Is All You Need", in float64.

PE[pos, 2i] = sin(pos / 10000^(2i/d)) and PE[pos, 2i+1] = cos(pos / 10000^(2i/d)),
for pos = 0..max_len-1 and an even d. Used by the positional-encoding problem and
by greedy decoding's embedding step.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

BASE = 10000.0


def sinusoidal_encoding(max_len: int, d_model: int) -> NDArray[np.float64]:
    """(max_len, d_model) table; sines in the even columns, cosines in the odd ones."""
    pos = np.arange(max_len, dtype=np.float64)[:, None]  # (L, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)[None, :]  # (1, d/2)
    angle = pos / BASE ** (two_i / d_model)  # (L, d/2)
    table = np.empty((max_len, d_model), dtype=np.float64)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle)
    return table
