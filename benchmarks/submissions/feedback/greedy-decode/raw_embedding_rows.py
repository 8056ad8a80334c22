"""Looks up the embedding rows and adds the positional encoding without first multiplying the rows by sqrt(d_model).

Verdict: Wrong Answer
Mistake: embedding-not-scaled
"""

import numpy as np


def softmax(x, axis=-1):
    x = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


def layernorm(x, eps=1e-5):
    m = np.mean(x, axis=-1, keepdims=True)
    v = np.var(x, axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps)


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def multihead(xq, xkv, wq, wk, wv, wo, h, mask=None):
    B, Tq, D = xq.shape
    Tk = xkv.shape[1]
    dh = D // h
    Q = (xq @ wq).reshape(B, Tq, h, dh).transpose(0, 2, 1, 3)
    K = (xkv @ wk).reshape(B, Tk, h, dh).transpose(0, 2, 1, 3)
    V = (xkv @ wv).reshape(B, Tk, h, dh).transpose(0, 2, 1, 3)
    S = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(dh)
    if mask is not None:
        S = np.where(mask, -1e9, S)
    O = softmax(S) @ V
    return O.transpose(0, 2, 1, 3).reshape(B, Tq, D) @ wo


def sinusoid(n_pos, d):
    pe = np.zeros((n_pos, d))
    p = np.arange(n_pos)[:, None]
    div = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))
    pe[:, 0::2] = np.sin(p * div)
    pe[:, 1::2] = np.cos(p * div)
    return pe


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    enc = encoder_out.astype(np.float64)
    emb = embedding.astype(np.float64)
    B, D = enc.shape[0], emb.shape[1]
    pe = sinusoid(max_len, D)
    cross_mask = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]
    seqs = np.full((B, 1), bos_id, dtype=np.int64)
    finished = np.zeros(B, dtype=bool)
    for _ in range(max_len):
        T = seqs.shape[1]
        causal = np.triu(np.ones((T, T), dtype=bool), 1)[None, None]
        x = emb[seqs] + pe[:T]
        x = layernorm(x + multihead(x, x, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal))
        x = layernorm(x + multihead(x, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, cross_mask))
        x = layernorm(x + gelu(x @ w_mlp1) @ w_mlp2)
        nxt = np.argmax(x[:, -1] @ w_out, axis=-1)
        nxt[finished] = eos_id
        finished |= nxt == eos_id
        seqs = np.hstack([seqs, nxt[:, None]])
    return seqs[:, 1:]
