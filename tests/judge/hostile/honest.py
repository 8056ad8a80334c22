"""An honest, correct NumPy submission (float32 throughout).

Hostile fixtures that need the right answer start with the line `# __HONEST__`,
which the test loader replaces with this file, and then call `_honest(...)`.
"""

import numpy as np


def _layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-5))


def _gelu(t):
    c = np.float32(np.sqrt(2.0 / np.pi))
    return np.float32(0.5) * t * (np.float32(1.0) + np.tanh(c * (t + np.float32(0.044715) * t**3)))


def _heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)


def _honest(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = np.array(decoder_x, dtype=np.float32)
    enc = np.array(encoder_out, dtype=np.float32)
    n, t, d = y.shape
    q, k, v = _heads(y @ w_q, num_heads), _heads(enc @ w_k, num_heads), _heads(enc @ w_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d // num_heads))
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = scores / scores.sum(axis=-1, keepdims=True)
    attended = (weights @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o
    x = _layer_norm(y + attended)
    return _layer_norm(x + _gelu(x @ w_mlp1) @ w_mlp2).astype(np.float32)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    return _honest(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads)
