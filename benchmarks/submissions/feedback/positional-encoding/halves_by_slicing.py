"""Writes the sines into pe[:, :d/2] and the cosines into pe[:, d/2:] instead of interleaving them column by column.

Verdict: Wrong Answer
Mistake: sines-then-cosines
"""

import numpy as np


def positional_encoding(max_len, d_model):
    half = d_model // 2
    pos = np.arange(max_len, dtype=np.float64).reshape(max_len, 1)
    inv_freq = 1.0 / np.power(10000.0, np.arange(0, d_model, 2, dtype=np.float64) / d_model)
    angles = pos * inv_freq.reshape(1, half)
    pe = np.empty((max_len, d_model), dtype=np.float64)
    pe[:, :half] = np.sin(angles)
    pe[:, half:] = np.cos(angles)
    return pe
