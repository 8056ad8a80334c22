# __HONEST__
import sys

_flooded = False


def cross_attention_block(*args):
    global _flooded
    if not _flooded:
        _flooded = True
        chunk = "spam " * 200_000  # 1 MB
        for _ in range(20):
            sys.stdout.write(chunk)
            sys.stderr.write(chunk)
        sys.stdout.flush()
        sys.stderr.flush()
    return _honest(*args)
