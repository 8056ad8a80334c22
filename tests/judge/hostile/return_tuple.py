# __HONEST__


def cross_attention_block(*args):
    out = _honest(*args)
    return (out,)
