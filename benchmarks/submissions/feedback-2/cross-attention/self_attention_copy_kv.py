"""The attention was copied from a self-attention block, so the keys and values are projected from decoder_x and encoder_out is never used.

Verdict: Wrong Answer
Mistake: kv-from-decoder
"""

import numpy as np


def layer_norm(x, eps=1e-5):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.var(x, axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def attention(q, k, v):
    return softmax(q @ k.T / np.sqrt(q.shape[-1])) @ v


def mha(x, w_q, w_k, w_v, w_o, n_head):
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    heads = [attention(a, b, c) for a, b, c in zip(np.split(q, n_head, axis=-1),
                                                   np.split(k, n_head, axis=-1),
                                                   np.split(v, n_head, axis=-1))]
    return np.hstack(heads) @ w_o


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    out = np.empty_like(decoder_x)
    for b in range(decoder_x.shape[0]):
        y = decoder_x[b]
        x = layer_norm(y + mha(y, w_q, w_k, w_v, w_o, num_heads))
        out[b] = layer_norm(x + gelu(x @ w_mlp1) @ w_mlp2)
    return out
