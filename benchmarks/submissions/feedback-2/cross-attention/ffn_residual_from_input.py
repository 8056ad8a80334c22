"""The feed-forward's residual adds the block's input decoder_x instead of the attention sublayer's output x, so the second sum is LN(y + FFN(x)) rather than LN(x + FFN(x)).

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.tensor(decoder_x, dtype=torch.float64)
    enc = torch.tensor(encoder_out, dtype=torch.float64)
    W = [torch.tensor(w, dtype=torch.float64) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2)]
    d = y.shape[-1]
    dh = d // num_heads
    q = torch.einsum("btd,de->bte", y, W[0]).unflatten(-1, (num_heads, dh))
    k = torch.einsum("bsd,de->bse", enc, W[1]).unflatten(-1, (num_heads, dh))
    v = torch.einsum("bsd,de->bse", enc, W[2]).unflatten(-1, (num_heads, dh))
    scores = torch.einsum("bthe,bshe->bhts", q, k) / math.sqrt(dh)
    ctx = torch.einsum("bhts,bshe->bthe", scores.softmax(-1), v).flatten(-2)
    x = F.layer_norm(y + ctx @ W[3], (d,), eps=1e-5)
    ff = F.gelu(x @ W[4], approximate="tanh") @ W[5]
    out = F.layer_norm(y + ff, (d,), eps=1e-5)
    return out.float().numpy()
