"""Writes the decoder layer pre-LN (x + sublayer(LN(x))) instead of post-LN (LN(x + sublayer(x))).

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def split_heads(x, h):
    b, t, d = x.shape
    return x.view(b, t, h, d // h).transpose(1, 2)


def merge_heads(x):
    b, h, t, dh = x.shape
    return x.transpose(1, 2).contiguous().view(b, t, h * dh)


def attention(xq, xkv, w, h, blocked=None):
    q, k, v = split_heads(xq @ w[0], h), split_heads(xkv @ w[1], h), split_heads(xkv @ w[2], h)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if blocked is not None:
        scores = scores.masked_fill(blocked, -1e9)
    return merge_heads(F.softmax(scores, dim=-1) @ v) @ w[3]


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    T = torch.from_numpy
    memory, E = T(encoder_out), T(embedding)
    sw = [T(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [T(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2, wout = T(w_mlp1), T(w_mlp2), T(w_out)
    n, d = memory.shape[0], E.shape[1]
    norm = lambda z: F.layer_norm(z, (d,), eps=1e-5)  # noqa: E731
    pad = None if encoder_padding_mask is None else T(encoder_padding_mask)[:, None, None, :]

    pos = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)

    ys = torch.full((n, 1), bos_id, dtype=torch.long)
    finished = torch.zeros(n, dtype=torch.bool)
    for _ in range(max_len):
        t = ys.shape[1]
        x = E[ys] * math.sqrt(d) + pe[:t]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        x = x + attention(norm(x), norm(x), sw, num_heads, causal)
        x = x + attention(norm(x), memory, cw, num_heads, pad)
        x = x + F.gelu(norm(x) @ w1, approximate="tanh") @ w2
        x = norm(x)
        nxt = (x[:, -1] @ wout).argmax(-1)
        nxt[finished] = eos_id
        finished |= nxt == eos_id
        ys = torch.cat([ys, nxt[:, None]], 1)
    return ys[:, 1:]
