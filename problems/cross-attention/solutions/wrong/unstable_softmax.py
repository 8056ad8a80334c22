"""A softmax without subtracting the row maximum: exp overflows on large scores.

Verdict: Wrong Answer
"""

import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5)


def activation(t):
    return 0.5 * t * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (t + 0.044715 * t**3)))


def softmax(s):
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def split(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)


def merge(x):
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = np.asarray(decoder_x, np.float32)
    enc = np.asarray(encoder_out, np.float32)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (np.asarray(w, np.float32) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = y.shape
    q, k, v = split(y @ w_q, num_heads), split(enc @ w_k, num_heads), split(enc @ w_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d // num_heads))  # stays float32
    attended = merge(softmax(scores) @ v) @ w_o
    x = layer_norm(y + attended)
    return layer_norm(x + activation(x @ w_mlp1) @ w_mlp2)
