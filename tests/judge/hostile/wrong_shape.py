# __HONEST__


def cross_attention_block(*args):
    return _honest(*args)[..., :-1]
