"""Writes LayerNorm with torch's .std(), which is the unbiased (n - 1) estimate, and adds eps to the std rather than to the variance.

Verdict: Wrong Answer
Mistake: layer-norm-unbiased
"""

import math

import torch
import torch.nn.functional as F


def layer_norm(x, eps=1e-5):
    return (x - x.mean(dim=-1, keepdim=True)) / (x.std(dim=-1, keepdim=True) + eps)


def attention(x_q, x_kv, wq, wk, wv, wo, heads, mask):
    b, tq, d = x_q.shape
    tk = x_kv.shape[1]
    dk = d // heads
    q = torch.matmul(x_q, wq).reshape(b, tq, heads, dk).transpose(1, 2)
    k = torch.matmul(x_kv, wk).reshape(b, tk, heads, dk).transpose(1, 2)
    v = torch.matmul(x_kv, wv).reshape(b, tk, heads, dk).transpose(1, 2)
    e = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(dk)
    if mask is not None:
        e = e.masked_fill(mask, -1e9)
    a = torch.softmax(e, dim=-1)
    return torch.matmul(a, v).transpose(1, 2).reshape(b, tq, d) @ wo


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    trg = torch.tensor(decoder_x)
    src = torch.tensor(encoder_out)
    sw = [torch.tensor(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [torch.tensor(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    t = trg.shape[1]
    trg_mask = torch.tril(torch.ones(t, t)) == 0
    src_mask = None if encoder_padding_mask is None else torch.tensor(encoder_padding_mask).unsqueeze(1).unsqueeze(2)

    trg = layer_norm(trg + attention(trg, trg, *sw, num_heads, trg_mask))
    trg = layer_norm(trg + attention(trg, src, *cw, num_heads, src_mask))
    ff = F.gelu(trg @ torch.tensor(w_mlp1), approximate="tanh") @ torch.tensor(w_mlp2)
    return layer_norm(trg + ff).numpy()
