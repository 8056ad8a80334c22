"""A submission that splits the batch over one thread per core the host has (NumPy's matmul releases the GIL).

The judge gives both sides of a comparison the same cpuset and CPU quota, so the
extra threads share one core and gain nothing over the honest submission.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_pool = ThreadPoolExecutor(max(2, os.cpu_count() or 2))


def ln(x):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-5)


def _one(y, e, wq, wk, wv, wo, w1, w2, h):
    t, d = y.shape; s = e.shape[0]; dh = d // h
    q = (y @ wq).reshape(t, h, dh).transpose(1, 0, 2)
    k = (e @ wk).reshape(s, h, dh).transpose(1, 0, 2)
    v = (e @ wv).reshape(s, h, dh).transpose(1, 0, 2)
    a = q @ k.transpose(0, 2, 1) / np.sqrt(dh)
    a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
    x = ln(y + (a @ v).transpose(1, 0, 2).reshape(t, d) @ wo)
    g = x @ w1; g = 0.5 * g * (1 + np.tanh(np.sqrt(2 / np.pi) * (g + 0.044715 * g ** 3)))
    return ln(x + g @ w2)


def cross_attention_block(y, e, wq, wk, wv, wo, w1, w2, h):
    parts = _pool.map(lambda i: _one(y[i], e[i], wq, wk, wv, wo, w1, w2, h), range(y.shape[0]))
    return np.stack(list(parts))
