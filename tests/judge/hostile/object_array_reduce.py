import numpy as np


class Bomb:
    def __reduce__(self):
        return (open, ("/tmp/__MARKER__", "w"))


def cross_attention_block(decoder_x, *args):
    out = np.empty(decoder_x.shape, dtype=object)
    out.fill(Bomb())
    return out
