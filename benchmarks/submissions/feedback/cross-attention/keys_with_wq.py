"""A copy-paste slip projects the encoder keys with w_q instead of w_k.

Verdict: Wrong Answer
Mistake: shared-weights
"""

import numpy as np


def _ln(x):
    m = x.mean(axis=-1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + np.float32(1e-5))


def _gelu(x):
    return np.float32(0.5) * x * (1 + np.tanh(np.float32(0.7978845608) * (x + np.float32(0.044715) * x * x * x)))


def _heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    n, t, d = decoder_x.shape
    q = _heads(decoder_x @ w_q, num_heads)
    k = _heads(encoder_out @ w_q, num_heads)
    v = _heads(encoder_out @ w_v, num_heads)
    s = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(d // num_heads))
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    a = (s @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o
    x = _ln(decoder_x + a)
    return _ln(x + _gelu(x @ w_mlp1) @ w_mlp2)
