"""The first max_len tokens of the prefix are returned, so the output starts with BOS and drops the last generated token, and the cross-attention never applies encoder_padding_mask.

Verdict: Wrong Answer
Mistake: bos-in-output+padding-ignored
"""

import math

import torch


def layer_norm(x, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps)


def attention(query, key, value, mask=None):
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ value


def mha(xq, xkv, w_q, w_k, w_v, w_o, h, mask=None):
    nb, tq, d = xq.shape
    q = (xq @ w_q).view(nb, tq, h, -1).transpose(1, 2)
    k = (xkv @ w_k).view(nb, xkv.size(1), h, -1).transpose(1, 2)
    v = (xkv @ w_v).view(nb, xkv.size(1), h, -1).transpose(1, 2)
    return attention(q, k, v, mask).transpose(1, 2).reshape(nb, tq, d) @ w_o


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    t = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    memory, emb, w_out = t(encoder_out), t(embedding), t(w_out)
    self_w = [t(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [t(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2 = t(w_mlp1), t(w_mlp2)
    n, d = memory.size(0), emb.size(1)

    pe = torch.zeros(max_len + 1, d, dtype=torch.float64)
    position = torch.arange(max_len + 1, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * -(math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)

    ys = torch.full((n, 1), bos_id, dtype=torch.long)
    for _ in range(max_len):
        size = ys.size(1)
        x = emb[ys] * math.sqrt(d) + pe[:size]
        subsequent = torch.triu(torch.ones(size, size, dtype=torch.bool), diagonal=1)
        x = layer_norm(x + mha(x, x, *self_w, num_heads, subsequent))
        x = layer_norm(x + mha(x, memory, *cross_w, num_heads))
        hidden = x @ w1
        hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden ** 3)))
        x = layer_norm(x + hidden @ w2)
        next_word = (x[:, -1] @ w_out).argmax(dim=-1)
        next_word = torch.where(ys[:, -1] == eos_id, torch.full_like(next_word, eos_id), next_word)
        ys = torch.cat([ys, next_word.unsqueeze(1)], dim=1)
    return ys[:, :max_len]
