"""The sublayers were chained cross-attention first and masked self-attention second (then the feed-forward), instead of self-attention, then cross-attention.

Verdict: Wrong Answer
Mistake: sublayer-order
"""

import numpy as np


def layer_norm(x):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5)


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


class MultiHeadAttention:
    def __init__(self, w_q, w_k, w_v, w_o, num_heads):
        self.w_q, self.w_k, self.w_v, self.w_o = w_q, w_k, w_v, w_o
        self.h = num_heads

    def _split(self, x):
        n, t, d = x.shape
        return x.reshape(n, t, self.h, d // self.h).transpose(0, 2, 1, 3)

    def __call__(self, xq, xkv, blocked=None):
        q, k, v = self._split(xq @ self.w_q), self._split(xkv @ self.w_k), self._split(xkv @ self.w_v)
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
        if blocked is not None:
            s = np.where(blocked, -np.inf, s)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        o = a @ v
        n, h, t, dh = o.shape
        return o.transpose(0, 2, 1, 3).reshape(n, t, h * dh) @ self.w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    self_attn = MultiHeadAttention(self_w_q, self_w_k, self_w_v, self_w_o, num_heads)
    cross_attn = MultiHeadAttention(cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads)
    t = decoder_x.shape[1]
    future = np.triu(np.ones((t, t), dtype=bool), 1)
    pad = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]

    x = layer_norm(decoder_x + cross_attn(decoder_x, encoder_out, pad))
    x = layer_norm(x + self_attn(x, x, future))
    return layer_norm(x + gelu(x @ w_mlp1) @ w_mlp2)
