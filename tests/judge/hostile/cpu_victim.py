"""A correct submission that also does a fixed amount of pure-Python work per call (CPU-bound)."""

# __HONEST__


def cross_attention_block(*args):
    total = 0
    for i in range(__WORK__):
        total += i * i
    return _honest(*args)
