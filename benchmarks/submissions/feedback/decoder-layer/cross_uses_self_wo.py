"""The cross-attention output is projected with self_w_o (copy-pasted from the self-attention) instead of cross_w_o.

Verdict: Wrong Answer
Mistake: shared-weights
"""

import math

import torch


def _ln(a):
    mu = a.mean(-1, keepdim=True)
    return (a - mu) / torch.sqrt(((a - mu) ** 2).mean(-1, keepdim=True) + 1e-5)


def _gelu(a):
    return 0.5 * a * (1 + torch.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))


def _split(a, h):
    n, t, d = a.shape
    return a.reshape(n, t, h, d // h).permute(0, 2, 1, 3)


def _merge(a):
    n, h, t, e = a.shape
    return a.permute(0, 2, 1, 3).reshape(n, t, h * e)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = torch.as_tensor(decoder_x, dtype=torch.float64)
    enc = torch.as_tensor(encoder_out, dtype=torch.float64)
    W = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in dict(
        sq=self_w_q, sk=self_w_k, sv=self_w_v, so=self_w_o,
        cq=cross_w_q, ck=cross_w_k, cv=cross_w_v, co=cross_w_o, f1=w_mlp1, f2=w_mlp2).items()}
    h = num_heads
    t = y.shape[1]
    scale = 1.0 / math.sqrt(y.shape[-1] // h)

    # masked self-attention
    q, k, v = _split(y @ W["sq"], h), _split(y @ W["sk"], h), _split(y @ W["sv"], h)
    s = (q @ k.transpose(-1, -2)) * scale
    s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    h1 = _ln(y + _merge(s.softmax(-1) @ v) @ W["so"])

    # encoder-decoder attention
    q, k, v = _split(h1 @ W["cq"], h), _split(enc @ W["ck"], h), _split(enc @ W["cv"], h)
    s = (q @ k.transpose(-1, -2)) * scale
    if encoder_padding_mask is not None:
        s = s.masked_fill(torch.as_tensor(encoder_padding_mask)[:, None, None, :], float("-inf"))
    h2 = _ln(h1 + _merge(s.softmax(-1) @ v) @ W["so"])

    out = _ln(h2 + _gelu(h2 @ W["f1"]) @ W["f2"])
    return out.float().numpy()
