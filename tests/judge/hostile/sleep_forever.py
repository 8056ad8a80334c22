import time


def cross_attention_block(*args):
    time.sleep(10**6)
