"""Shrinks its request pipe to one page and stops reading it: the judge's next write must time out, not hang.

It wedges after the public cases, so that the next request (a hidden case) is larger than the page.
"""
import fcntl
import os
import sys

# __HONEST__

_state = {"calls": 0}


def cross_attention_block(*args):
    _state["calls"] += 1
    if _state["calls"] == 2:
        request = int(sys.argv[1])
        fcntl.fcntl(request, 1031, 4096)  # F_SETPIPE_SZ
        keep = os.dup(request)  # keep the real pipe open, so the judge never sees EPIPE
        dummy_read, _dummy_write = os.pipe()
        os.dup2(dummy_read, request)  # the harness now waits on a pipe nobody writes: no CPU is spent
        _state["keep"] = (keep, _dummy_write)
    return _honest(*args)
