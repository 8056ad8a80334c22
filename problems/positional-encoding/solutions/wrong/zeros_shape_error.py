"""Calls np.zeros(max_len, d_model): the second argument is read as a dtype and NumPy raises a TypeError.

Verdict: Runtime Error
"""

import math

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros(max_len, d_model)
    position = np.arange(max_len)[:, None]
    div_term = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return pe.astype(np.float32)
