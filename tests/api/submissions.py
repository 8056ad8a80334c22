"""Student-style sources for cross-attention, kept here so that the service's tests own their inputs."""

CORRECT = '''\
import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-5))


def gelu(t):
    c = np.float32(np.sqrt(2.0 / np.pi))
    return np.float32(0.5) * t * (np.float32(1.0) + np.tanh(c * (t + np.float32(0.044715) * t**3)))


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def split(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = np.asarray(decoder_x, np.float32)
    enc = np.asarray(encoder_out, np.float32)
    n, t, d = y.shape
    q, k, v = split(y @ w_q, num_heads), split(enc @ w_k, num_heads), split(enc @ w_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d // num_heads))
    heads = softmax(scores) @ v
    attended = heads.transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o
    x = layer_norm(y + attended)
    return layer_norm(x + gelu(x @ w_mlp1) @ w_mlp2)
'''

# LayerNorm's eps a hundred times too large: a Wrong Answer the judge explains
WRONG = CORRECT.replace("1e-5", "1e-3")

# fails to compile: a verdict, not an error of the service
BROKEN = "def cross_attention_block(:\n"

# correct, but each call sleeps first: a grading takes a second or two, so a test can kill its host mid-way
SLOW = CORRECT + """

_fast = cross_attention_block


def cross_attention_block(*args, **kwargs):
    import time

    time.sleep(0.15)
    return _fast(*args, **kwargs)
"""
