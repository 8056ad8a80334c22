"""Properties the references must have whatever the inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference import blocks, ops


def _setup(seed, n=2, t=6, s=5, d=12, d_ff=20):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(8)]
    w1, w2 = rng.standard_normal((d, d_ff)) / np.sqrt(d), rng.standard_normal((d_ff, d)) / np.sqrt(d_ff)
    return rng, rng.standard_normal((n, t, d)), rng.standard_normal((n, s, d)), ws, w1, w2


def _square_ffn(rng, d):
    return rng.standard_normal((d, d)) / np.sqrt(d), rng.standard_normal((d, d)) / np.sqrt(d)


# ---- LayerNorm ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("magnitude", [1.0, 100.0, 1e4])
def test_layer_norm_ignores_a_constant_added_to_each_row(magnitude):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 16))
    shift = rng.standard_normal((3, 4, 1)) * magnitude  # a different constant per row
    np.testing.assert_allclose(ops.layer_norm(x + shift), ops.layer_norm(x), rtol=0, atol=1e-9)
    # a shift that is not constant along the row does change the result
    assert not np.allclose(ops.layer_norm(x + rng.standard_normal(x.shape)), ops.layer_norm(x), atol=1e-3)


def test_layer_norm_rows_have_zero_mean_and_unit_biased_variance():
    x = np.random.default_rng(2).standard_normal((5, 64)) * 3 + 7
    out = ops.layer_norm(x)
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-12)
    var = x.var(-1)  # biased (ddof=0), eps = 1e-5 inside the square root
    np.testing.assert_allclose(out.var(-1), var / (var + 1e-5), rtol=1e-12)


def test_layer_norm_of_a_constant_row_is_zero_not_nan():
    out = ops.layer_norm(np.full((2, 8), 3.5))
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, 0.0)


# ---- softmax and GELU ---------------------------------------------------------------------------------------------


def test_softmax_of_huge_scores_is_finite_and_normalised():
    scores = np.array([[1e4, 1e4 - 1, -1e4], [800.0, 799.0, 0.0], [-1e4, -1e4 - 2, -1e4 - 4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no 0/0 on the way
        probs = ops.softmax(scores)
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-15)
    expected = np.array([1.0, math.exp(-1.0), 0.0]) / (1 + math.exp(-1.0))
    np.testing.assert_allclose(probs[0], expected, rtol=1e-14)
    np.testing.assert_allclose(probs[1], expected, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(probs[2], np.array([1, math.exp(-2), math.exp(-4)]) / (1 + math.exp(-2) + math.exp(-4)))


def test_softmax_gives_blocked_keys_zero_weight():
    q, k, v = (np.random.default_rng(3).standard_normal((1, 4, 3)) for _ in range(3))
    blocked = np.array([[False, True, False, True]])  # broadcasts over queries
    out = ops.attention(q, k, v, blocked)
    unblocked = ops.attention(q, k[:, [0, 2]], v[:, [0, 2]], None)
    np.testing.assert_allclose(out, unblocked, rtol=0, atol=1e-14)


GELU_TANH = {  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated with math.tanh
    -3.0: -0.0036373920817729943,
    -1.0: -0.15880800939172324,
    -0.5: -0.15428599017485606,
    0.0: 0.0,
    0.5: 0.34571400982514394,
    1.0: 0.8411919906082768,
    2.0: 1.954597694087775,
    3.0: 2.996362607918227,
}


def test_gelu_matches_the_tanh_formula_at_known_points():
    x = np.array(list(GELU_TANH))
    np.testing.assert_allclose(ops.gelu(x), list(GELU_TANH.values()), rtol=1e-14, atol=1e-300)
    torch_gelu = F.gelu(torch.from_numpy(x), approximate="tanh").numpy()
    np.testing.assert_allclose(ops.gelu(x), torch_gelu, rtol=1e-14, atol=1e-300)


def test_gelu_is_not_the_exact_erf_gelu():
    # GELU_erf(1) = Phi(1) = 0.8413447...; the tanh approximation differs by ~1.5e-4
    assert math.isclose(ops.gelu_erf(np.array([1.0]))[0], 0.5 * (1 + math.erf(1 / math.sqrt(2))), rel_tol=1e-14)
    x = np.linspace(-3, 3, 13)
    assert np.abs(ops.gelu(x) - ops.gelu_erf(x)).max() > 1e-4


# ---- attention structure ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("num_heads", [1, 3, 4])
def test_cross_attention_ignores_the_order_of_encoder_positions(num_heads):
    rng, y, enc, ws, _, _ = _setup(3, d=12, s=7)
    w1, w2 = _square_ffn(rng, 12)
    out = blocks.cross_attention_block(y, enc, *ws[:4], w1, w2, num_heads)
    for _ in range(3):
        perm = rng.permutation(enc.shape[1])
        assert (perm != np.arange(len(perm))).any()
        permuted = blocks.cross_attention_block(y, enc[:, perm], *ws[:4], w1, w2, num_heads)
        np.testing.assert_allclose(permuted, out, rtol=0, atol=1e-12)
    # the encoder does matter: a changed encoder position changes the output
    changed = enc.copy()
    changed[:, 0] += 1.0
    assert not np.allclose(blocks.cross_attention_block(y, changed, *ws[:4], w1, w2, num_heads), out, atol=1e-6)


def test_cross_attention_is_equivariant_in_decoder_positions():
    rng, y, enc, ws, _, _ = _setup(13, d=12)
    w1, w2 = _square_ffn(rng, 12)
    perm = rng.permutation(y.shape[1])
    out = blocks.cross_attention_block(y, enc, *ws[:4], w1, w2, 3)
    permuted = blocks.cross_attention_block(y[:, perm], enc, *ws[:4], w1, w2, 3)
    np.testing.assert_allclose(permuted, out[:, perm], rtol=0, atol=1e-12)


def test_decoder_ignores_encoder_order_when_padding_moves_with_it():
    rng, y, enc, ws, w1, w2 = _setup(4, s=6)
    pad = np.array([[False, False, False, True, True, True], [False] * 6])
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, 2, pad)
    for _ in range(3):
        perm = rng.permutation(enc.shape[1])
        permuted = blocks.decoder_layer(y, enc[:, perm], *ws, w1, w2, 2, pad[:, perm])
        np.testing.assert_allclose(permuted, out, rtol=0, atol=1e-12)
    # moving the encoder without its padding is a different input
    perm = np.roll(np.arange(6), 3)
    assert not np.allclose(blocks.decoder_layer(y, enc[:, perm], *ws, w1, w2, 2, pad), out, atol=1e-6)


@pytest.mark.parametrize("num_heads", [1, 4])
def test_decoder_position_i_does_not_see_later_positions(num_heads):
    rng, y, enc, ws, w1, w2 = _setup(5, t=7)
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, num_heads)
    for i in range(y.shape[1] - 1):
        changed = y.copy()
        changed[:, i + 1:] = rng.standard_normal(changed[:, i + 1:].shape) * 5
        out_changed = blocks.decoder_layer(changed, enc, *ws, w1, w2, num_heads)
        np.testing.assert_allclose(out_changed[:, : i + 1], out[:, : i + 1], rtol=0, atol=1e-12)
        # later positions see position <= i's change and their own
        assert not np.allclose(out_changed[:, i + 1:], out[:, i + 1:], atol=1e-6)


def test_decoder_later_positions_see_earlier_ones():
    _, y, enc, ws, w1, w2 = _setup(15, t=5)
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, 3)
    changed = y.copy()
    changed[:, 0] += 1.0
    out_changed = blocks.decoder_layer(changed, enc, *ws, w1, w2, 3)
    for j in range(1, 5):
        assert not np.allclose(out_changed[:, j], out[:, j], atol=1e-6), f"position {j} does not see position 0"


def test_decoder_ignores_values_at_padded_encoder_positions():
    rng, y, enc, ws, w1, w2 = _setup(16, s=6)
    pad = np.array([[False, False, True, True, True, True], [False] * 5 + [True]])
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, 3, pad)
    changed = np.where(pad[:, :, None], rng.standard_normal(enc.shape) * 50, enc)
    np.testing.assert_allclose(blocks.decoder_layer(y, changed, *ws, w1, w2, 3, pad), out, rtol=0, atol=1e-12)
    assert not np.allclose(blocks.decoder_layer(y, changed, *ws, w1, w2, 3), blocks.decoder_layer(
        y, enc, *ws, w1, w2, 3), atol=1e-6)


@pytest.mark.parametrize("num_heads", [1, 3])
def test_encoder_unpadded_outputs_ignore_values_at_padded_positions(num_heads):
    rng, x, _, ws, w1, w2 = _setup(6, n=3, t=6)
    pad = np.array([[False] * 4 + [True] * 2, [False] * 6, [False] + [True] * 5])
    out = blocks.encoder_layer(x, *ws[:4], w1, w2, num_heads, pad)
    changed = np.where(pad[:, :, None], rng.standard_normal(x.shape) * 10, x)
    out_changed = blocks.encoder_layer(changed, *ws[:4], w1, w2, num_heads, pad)
    np.testing.assert_allclose(out_changed[~pad], out[~pad], rtol=0, atol=1e-12)
    # padded positions are still queries: their own outputs follow their own values
    assert not np.allclose(out_changed[pad], out[pad], atol=1e-6)
    # without the mask, the same change would reach the unpadded positions
    plain = blocks.encoder_layer(x, *ws[:4], w1, w2, num_heads)
    plain_changed = blocks.encoder_layer(changed, *ws[:4], w1, w2, num_heads)
    assert not np.allclose(plain_changed[~pad], plain[~pad], atol=1e-6)


def test_encoder_is_bidirectional():
    _, x, _, ws, w1, w2 = _setup(17, t=5)
    out = blocks.encoder_layer(x, *ws[:4], w1, w2, 3)
    changed = x.copy()
    changed[:, -1] += 1.0
    out_changed = blocks.encoder_layer(changed, *ws[:4], w1, w2, 3)
    assert not np.allclose(out_changed[:, 0], out[:, 0], atol=1e-6), "position 0 must see the last position"


def test_blocks_are_post_ln_so_every_output_row_is_normalised():
    rng, y, enc, ws, w1, w2 = _setup(18)
    w1c, w2c = _square_ffn(rng, 12)
    pad = np.array([[False] * 3 + [True] * 2, [False] * 5])
    outputs = [
        blocks.cross_attention_block(y, enc, *ws[:4], w1c, w2c, 3),
        blocks.encoder_layer(enc, *ws[:4], w1, w2, 3, pad),
        blocks.decoder_layer(y, enc, *ws, w1, w2, 3, pad),
    ]
    for out in outputs:
        np.testing.assert_allclose(out.mean(-1), 0, atol=1e-12)
        np.testing.assert_allclose(out.var(-1), 1, atol=1e-3)
