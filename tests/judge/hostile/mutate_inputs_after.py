# __HONEST__
import numpy as np


def cross_attention_block(*args):
    out = _honest(*args)
    for a in args:
        if isinstance(a, np.ndarray):
            a[...] = np.nan  # vandalise the inputs after computing the answer
    return out
