"""Adds the positional encoding to the raw embedding rows, without multiplying them by sqrt(d) first.

Verdict: Wrong Answer
Mistake: embedding-not-scaled
"""

import math

import numpy as np


def _norm(a):
    centred = a - a.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)


def _attend(xq, xkv, w_q, w_k, w_v, w_o, h, blocked):
    t, d = xq.shape
    s, dh = xkv.shape[0], d // h
    q = np.einsum("td,de->te", xq, w_q).reshape(t, h, dh)
    k = np.einsum("sd,de->se", xkv, w_k).reshape(s, h, dh)
    v = np.einsum("sd,de->se", xkv, w_v).reshape(s, h, dh)
    scores = np.einsum("qhe,khe->hqk", q, k) / math.sqrt(dh)
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("hqk,khe->qhe", weights, v).reshape(t, d) @ w_o


def _layer(y, enc, w, h, padded):
    """One sequence: y (T, d), enc (S, d), padded (S,) bool or None."""
    t = y.shape[0]
    causal = np.arange(t)[None, :] > np.arange(t)[:, None]
    h1 = _norm(y + _attend(y, y, *w[0:4], h, causal))
    h2 = _norm(h1 + _attend(h1, enc, *w[4:8], h, padded))
    hidden = h2 @ w[8]
    hidden = 0.5 * hidden * (1 + np.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return _norm(h2 + hidden @ w[9])


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    f64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    enc, emb, w_out = f64(encoder_out), f64(embedding), f64(w_out)
    w = [f64(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v, cross_w_o,
                          w_mlp1, w_mlp2)]
    d = emb.shape[1]
    pos = np.arange(max_len)[:, None]
    angle = pos / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.stack([np.sin(angle), np.cos(angle)], axis=-1).reshape(max_len, d)  # sin, cos interleaved
    result = []
    for row in range(enc.shape[0]):
        padded = None if encoder_padding_mask is None else np.asarray(encoder_padding_mask[row], dtype=bool)
        seq = [bos_id]
        while len(seq) <= max_len:
            if seq[-1] == eos_id and len(seq) > 1:
                seq.append(eos_id)
                continue
            y = emb[seq] + pe[: len(seq)]
            logits = _layer(y, enc[row], w, num_heads, padded)[-1] @ w_out
            seq.append(int(np.argmax(logits)))
        result.append(seq[1:])
    return np.array(result, dtype=np.int64)
