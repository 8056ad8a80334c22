raise ImportError("this submission refuses to be imported")


def cross_attention_block(*args):
    return None
