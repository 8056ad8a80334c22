"""Starter for `greedy-decode`: fill in the body; see `judge show greedy-decode`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    """Greedy decoding with one post-LN decoder layer: returns int64 tokens of shape (N, max_len).

    encoder_out (N, S, d) is float32; embedding (V, d) holds one row per token id;
    the eight attention weights are (d, d), w_mlp1 (d, d_ff), w_mlp2 (d_ff, d) and
    w_out (d, V). num_heads divides d; d is even. bos_id != eos_id are token ids
    below V; max_len >= 1. encoder_padding_mask is None or a bool (N, S) array,
    True where an encoder key is padding. Return a NumPy array or a torch tensor
    of integer dtype and shape (N, max_len), without the BOS.
    """
    # Start every row from the prefix [bos_id]. For each of the max_len steps:
    # 1. y = embedding[prefix] * sqrt(d) + PE[:t]  (t = prefix length; sinusoidal PE, position 0 = BOS)
    #    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d))
    # 2. h = decoder_layer(y, encoder_out, ...)  (exactly the decoder-layer problem's layer)
    # 3. logits = h[:, -1] @ w_out  (N, V); next token = argmax (the lowest index on a tie)
    # 4. a row that has already produced eos_id gets eos_id again; append the token to the prefix
    # Return the max_len generated tokens (the prefix without its BOS).
    ...
