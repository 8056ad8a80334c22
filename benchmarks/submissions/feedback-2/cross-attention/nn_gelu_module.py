"""The feed-forward used an nn.GELU() module, whose default is the exact erf GELU, not the tanh approximation the problem asks for.

Verdict: Wrong Answer
Mistake: gelu-erf
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class FeedForward(nn.Module):
    def __init__(self, w1, w2):
        super().__init__()
        self.w1, self.w2 = w1, w2
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(x @ self.w1) @ self.w2


@torch.no_grad()
def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.as_tensor(decoder_x)
    enc = torch.as_tensor(encoder_out)
    B, T, C = y.shape
    S = enc.shape[1]
    hd = C // num_heads

    q = (y @ torch.as_tensor(w_q)).view(B, T, num_heads, hd).transpose(1, 2)
    k = (enc @ torch.as_tensor(w_k)).view(B, S, num_heads, hd).transpose(1, 2)
    v = (enc @ torch.as_tensor(w_v)).view(B, S, num_heads, hd).transpose(1, 2)
    att = F.scaled_dot_product_attention(q, k, v)
    att = att.transpose(1, 2).contiguous().view(B, T, C) @ torch.as_tensor(w_o)

    x = F.layer_norm(y + att, (C,), eps=1e-5)
    ffn = FeedForward(torch.as_tensor(w_mlp1), torch.as_tensor(w_mlp2))
    return F.layer_norm(x + ffn(x), (C,), eps=1e-5)
