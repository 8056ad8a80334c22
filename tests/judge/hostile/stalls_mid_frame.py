"""Sends the start of a reply frame on the judge's pipe, then stalls: the judge must not hang."""
import os
import struct
import sys
import time


def cross_attention_block(*args):
    response_fd = int(sys.argv[2])  # the harness's reply pipe
    os.write(response_fd, struct.pack("<Q", 1000) + b'{"status": "ok"')
    time.sleep(600)
