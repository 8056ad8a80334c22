"""Samples the next token with torch.multinomial from the softmax of the logits instead of taking the argmax, so decoding is random.

Verdict: Wrong Answer
Mistake: nondeterministic
"""

import math

import torch
import torch.nn.functional as F


def mha(x, mem, wq, wk, wv, wo, h, attn_mask=None, causal=False):
    n, t, d = x.shape
    q = (x @ wq).unflatten(-1, (h, -1)).transpose(1, 2)
    k = (mem @ wk).unflatten(-1, (h, -1)).transpose(1, 2)
    v = (mem @ wv).unflatten(-1, (h, -1)).transpose(1, 2)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=causal)
    return o.transpose(1, 2).flatten(2) @ wo


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    g = lambda a: torch.as_tensor(a)  # noqa: E731
    enc, emb = g(encoder_out), g(embedding)
    sw = [g(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [g(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2, wout = g(w_mlp1), g(w_mlp2), g(w_out)
    n, d = enc.shape[0], emb.shape[1]
    allowed = None if encoder_padding_mask is None else ~g(encoder_padding_mask)[:, None, None, :]

    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2) * -(math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)

    seq = torch.full((n, 1), bos_id, dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    for step in range(max_len):
        x = emb[seq] * math.sqrt(d) + pe[: step + 1]
        x = F.layer_norm(x + mha(x, x, *sw, num_heads, causal=True), (d,))
        x = F.layer_norm(x + mha(x, enc, *cw, num_heads, attn_mask=allowed), (d,))
        x = F.layer_norm(x + F.gelu(x @ w1, approximate="tanh") @ w2, (d,))
        probs = F.softmax(x[:, -1] @ wout, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1).squeeze(1)
        nxt = nxt.masked_fill(done, eos_id)
        done |= nxt == eos_id
        seq = torch.cat([seq, nxt[:, None]], dim=1)
    return seq[:, 1:]
