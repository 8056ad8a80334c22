"""Fills the even columns with cosines and the odd columns with sines, the other way round.

Verdict: Wrong Answer
Mistake: sin-cos-swapped
"""

import math

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    positions = np.arange(max_len, dtype=np.float64)
    for i in range(0, d_model, 2):
        freq = 1.0 / (10000 ** (i / d_model))
        pe[:, i] = np.cos(positions * freq)
        pe[:, i + 1] = np.sin(positions * freq)
    return pe
