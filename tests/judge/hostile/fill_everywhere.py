"""Tries to write outside /tmp (/dev, /dev/shm, the folders hiding site-packages) and to overfill /tmp."""
import os


def _write(path, megabytes):
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(megabytes):
                f.write(b"\x00" * (1 << 20))
                f.flush()
                written += 1 << 20
    except OSError:
        pass
    return written


def cross_attention_block(*args):
    report = {
        "dev": _write("/dev/hostile-__MARKER__", 8),
        "dev_shm": _write("/dev/shm/hostile-__MARKER__", 8),
        "site": _write(os.path.join("__SITE__", "hostile-__MARKER__"), 8),
        "tmp": _write("/tmp/hostile-__MARKER__", 64),
    }
    raise RuntimeError("wrote " + repr(report))
