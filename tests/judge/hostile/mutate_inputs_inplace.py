# __HONEST__
import numpy as np


def _layer_norm_inplace(x):
    x -= x.mean(axis=-1, keepdims=True)
    x /= np.sqrt((x * x).mean(axis=-1, keepdims=True) + np.float32(1e-5))
    return x


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    """Computes in place in the input buffers, returns the decoder input's own buffer, and scribbles
    over every other input afterwards."""
    n, t, d = decoder_x.shape
    q, k, v = _heads(decoder_x @ w_q, num_heads), _heads(encoder_out @ w_k, num_heads), _heads(encoder_out @ w_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d // num_heads))
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    decoder_x += (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o
    x = _layer_norm_inplace(decoder_x)
    x += _gelu(x @ w_mlp1) @ w_mlp2
    _layer_norm_inplace(x)
    encoder_out[...] = np.inf
    for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2):
        w *= -2.0
    return decoder_x
