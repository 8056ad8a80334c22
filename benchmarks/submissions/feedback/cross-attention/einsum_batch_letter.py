"""Uses a different batch letter for the keys in the score einsum ("nhtd,mhsd->nhts"), so every query sums over the whole batch's keys.

Verdict: Wrong Answer
Mistake: batch-mixing
"""

import numpy as np


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    n, t, d = decoder_x.shape
    s = encoder_out.shape[1]
    h = num_heads
    dh = d // h

    q = (decoder_x @ w_q).reshape(n, t, h, dh).transpose(0, 2, 1, 3)
    k = (encoder_out @ w_k).reshape(n, s, h, dh).transpose(0, 2, 1, 3)
    v = (encoder_out @ w_v).reshape(n, s, h, dh).transpose(0, 2, 1, 3)

    scores = np.einsum("nhtd,mhsd->nhts", q, k) / np.sqrt(dh)
    scores = scores - scores.max(axis=-1, keepdims=True)
    att = np.exp(scores)
    att = att / att.sum(axis=-1, keepdims=True)
    ctx = np.einsum("nhts,nhsd->nhtd", att, v)
    ctx = ctx.transpose(0, 2, 1, 3).reshape(n, t, d)

    def norm(z):
        mu = z.mean(-1, keepdims=True)
        return (z - mu) / np.sqrt(z.var(-1, keepdims=True) + 1e-5)

    x = norm(decoder_x + ctx @ w_o)
    a = x @ w_mlp1
    a = 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))
    return norm(x + a @ w_mlp2).astype(np.float32)
