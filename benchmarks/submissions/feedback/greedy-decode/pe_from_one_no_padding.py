"""Builds the PE table for positions 1..max_len (BOS gets row 1's encoding) and never uses encoder_padding_mask in the cross-attention.

Verdict: Wrong Answer
Mistake: positions-from-one+padding-ignored
"""

import math

import numpy as np


def _ln(z):
    z = z - z.mean(axis=-1, keepdims=True)
    return z / np.sqrt((z * z).mean(axis=-1, keepdims=True) + 1e-5)


def _gelu(z):
    return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))


def _mha(xq, xkv, w_q, w_k, w_v, w_o, h, causal=False):
    t, d = xq.shape
    dh = d // h
    out = np.zeros((t, d))
    q, k, v = xq @ w_q, xkv @ w_k, xkv @ w_v
    for j in range(h):
        cols = slice(j * dh, (j + 1) * dh)
        s = q[:, cols] @ k[:, cols].T / math.sqrt(dh)
        if causal:
            s = s + np.triu(np.full(s.shape, -np.inf), k=1)
        s = np.exp(s - s.max(axis=1, keepdims=True))
        out[:, cols] = (s / s.sum(axis=1, keepdims=True)) @ v[:, cols]
    return out @ w_o


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    d = embedding.shape[1]
    W = [np.float64(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    pe = np.zeros((max_len, d))
    for pos in range(1, max_len + 1):
        for i in range(0, d, 2):
            pe[pos - 1, i] = math.sin(pos / 10000 ** (i / d))
            pe[pos - 1, i + 1] = math.cos(pos / 10000 ** (i / d))
    outputs = []
    for b in range(encoder_out.shape[0]):
        mem = np.float64(encoder_out[b])
        tokens = [bos_id]
        for _ in range(max_len):
            if len(tokens) > 1 and tokens[-1] == eos_id:
                tokens.append(eos_id)
                continue
            x = embedding[tokens] * math.sqrt(d) + pe[: len(tokens)]
            x = _ln(x + _mha(x, x, *W[:4], num_heads, causal=True))
            x = _ln(x + _mha(x, mem, *W[4:], num_heads))
            x = _ln(x + _gelu(x @ w_mlp1) @ w_mlp2)
            tokens.append(int(np.argmax(x[-1] @ w_out)))
        outputs.append(tokens[1:])
    return np.array(outputs, dtype=np.int64)
