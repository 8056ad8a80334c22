"""To interleave sin and cos the two tables were stacked on axis 1 rather than on a new last axis, so after the reshape every row holds all the sines and then all the cosines.

Verdict: Wrong Answer
Mistake: sines-then-cosines
"""

import numpy as np


def positional_encoding(max_len, d_model):
    positions = np.arange(max_len, dtype=np.float64)[:, None]            # (L, 1)
    inv_freq = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)         # (d/2,)
    angles = positions * inv_freq[None, :]                               # (L, d/2)
    table = np.stack([np.sin(angles), np.cos(angles)], axis=1)           # (L, 2, d/2)
    return table.reshape(max_len, d_model).astype(np.float32)
