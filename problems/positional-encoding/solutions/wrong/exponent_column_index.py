"""Gives every column j its own frequency 10000^(-j/d_model), so the odd columns' frequencies are off by one step.

Verdict: Wrong Answer
Mistake: exponent-column-index
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    j = np.arange(d_model)[None, :]
    angles = pos / np.power(10000, j / d_model)
    angles[:, 0::2] = np.sin(angles[:, 0::2])
    angles[:, 1::2] = np.cos(angles[:, 1::2])
    return angles.astype(np.float32)
