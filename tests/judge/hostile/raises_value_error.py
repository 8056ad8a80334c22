def _helper(x):
    raise ValueError("the student's own bug")


def cross_attention_block(decoder_x, *args):
    return _helper(decoder_x)
