"""NumPy in float64, straight from the formula with a power; returns the float64 table.

Verdict: Accepted
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    two_i = np.arange(0, d_model, 2)[None, :]
    angles = pos / np.power(10000.0, two_i / d_model)
    table = np.empty((max_len, d_model))
    table[:, ::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table
