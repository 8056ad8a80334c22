import os

import numpy as np

TARGETS = __TARGETS__  # host folders the judge owns: the project, the judge package, $HOME


def cross_attention_block(decoder_x, *args):
    written = []
    for folder in TARGETS:
        path = os.path.join(folder, "__MARKER__")
        try:
            with open(path, "w") as f:
                f.write("pwned")
        except OSError:
            continue
        written.append(path)
    if written:
        raise RuntimeError(f"wrote outside the sandbox: {written}")
    return np.zeros_like(decoder_x)  # every write failed: a plain wrong answer
