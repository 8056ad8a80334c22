"""Starter for `positional-encoding`: fill in the body; see `judge show positional-encoding`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def positional_encoding(max_len, d_model):
    """The sinusoidal positional encoding table: two ints -> (max_len, d_model).

    max_len >= 1 and d_model is even (>= 2). Row pos, column 2i holds
    sin(pos / 10000^(2i/d_model)) and column 2i+1 holds cos(pos / 10000^(2i/d_model)),
    for pos = 0 .. max_len - 1. Return a float32 NumPy array (or a torch tensor).
    """
    # 1. positions 0 .. max_len - 1, as a column (max_len, 1)
    # 2. one frequency per column pair: 10000^(-2i/d_model) for 2i = 0, 2, ..., d_model - 2
    # 3. angle = position * frequency, shape (max_len, d_model / 2)
    # 4. sin(angle) into the even columns 0, 2, 4, ...; cos(angle) into the odd columns 1, 3, 5, ...
    ...
