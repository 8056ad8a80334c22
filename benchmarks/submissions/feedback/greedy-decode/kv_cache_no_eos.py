"""Decodes with a key/value cache but always appends the argmax, never holding eos_id once a row has produced it.

Verdict: Wrong Answer
Mistake: eos-not-held
"""

import math

import torch


def heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).permute(0, 2, 1, 3)


def unheads(x):
    n, h, t, e = x.shape
    return x.permute(0, 2, 1, 3).reshape(n, t, h * e)


def softmax_attend(q, k, v, blocked=None):
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if blocked is not None:
        s = s.masked_fill(blocked, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def ln(x, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mu) / torch.sqrt(var + eps)


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    f = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    enc, E = f(encoder_out), f(embedding)
    sq, sk, sv, so = map(f, (self_w_q, self_w_k, self_w_v, self_w_o))
    cq, ck, cv, co = map(f, (cross_w_q, cross_w_k, cross_w_v, cross_w_o))
    w1, w2, wo = f(w_mlp1), f(w_mlp2), f(w_out)
    n, d, h = enc.shape[0], E.shape[1], num_heads

    pad = None
    if encoder_padding_mask is not None:
        pad = torch.tensor(encoder_padding_mask, dtype=torch.bool).view(n, 1, 1, -1)
    mem_k, mem_v = heads(enc @ ck, h), heads(enc @ cv, h)

    k_cache, v_cache = [], []
    tok = torch.full((n,), bos_id, dtype=torch.int64)
    result = []
    for step in range(max_len):
        i = torch.arange(0, d, 2, dtype=torch.float32)
        angle = step / torch.pow(10000.0, i / d)
        pe = torch.stack([angle.sin(), angle.cos()], -1).flatten()
        x = (E[tok] * math.sqrt(d) + pe).unsqueeze(1)  # (N, 1, d)
        k_cache.append(heads(x @ sk, h))
        v_cache.append(heads(x @ sv, h))
        a = softmax_attend(heads(x @ sq, h), torch.cat(k_cache, 2), torch.cat(v_cache, 2))
        x = ln(x + unheads(a) @ so)
        c = softmax_attend(heads(x @ cq, h), mem_k, mem_v, pad)
        x = ln(x + unheads(c) @ co)
        x = ln(x + gelu(x @ w1) @ w2)
        tok = (x[:, 0] @ wo).argmax(-1)
        result.append(tok)
    return torch.stack(result, dim=1)
