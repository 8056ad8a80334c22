"""Uses 1000 as the base of the frequencies instead of 10000.

Verdict: Wrong Answer
Mistake: base-1000
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len, dtype=np.float32).reshape(-1, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float32)
    angle = pos / np.float32(1000.0) ** (two_i / np.float32(d_model))
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe
