"""Spreads memory over forked children, each far under the per-process limit; together over the sandbox's ceiling.

The children are forked once and each says when its block is written, so the
call returns only once all of them hold their memory (or were killed for it).
"""
import os
import time

# __HONEST__

_held = []


def cross_attention_block(*args):
    if not _held:
        ready_read, ready_write = os.pipe()
        for _ in range(__CHILDREN__):
            if os.fork() == 0:
                try:
                    block = b"\x01" * (__MB__ << 20)  # written, so every page is really held
                    os.write(ready_write, b"x")
                    time.sleep(60 + len(block) * 0)
                finally:
                    os._exit(0)
        told = 0
        while told < __CHILDREN__:  # a child killed for memory never tells: the judge's deadline ends the wait
            told += len(os.read(ready_read, 64))
        _held.append(told)
    return _honest(*args)
