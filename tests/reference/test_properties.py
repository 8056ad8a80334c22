"""Properties the references must have whatever the inputs."""

import numpy as np
import pytest

from reference import blocks, ops
from reference.variants import Recipe, cross_attention_block, decoder_layer, encoder_layer


def _setup(seed, n=2, t=6, s=5, d=12, d_ff=20):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(8)]
    w1, w2 = rng.standard_normal((d, d_ff)) / np.sqrt(d), rng.standard_normal((d_ff, d)) / np.sqrt(d_ff)
    return rng, rng.standard_normal((n, t, d)), rng.standard_normal((n, s, d)), ws, w1, w2


def test_layer_norm_ignores_a_constant_shift_of_each_row():
    x = np.random.default_rng(0).standard_normal((3, 4, 16))
    shift = np.random.default_rng(1).standard_normal((3, 4, 1)) * 100
    np.testing.assert_allclose(ops.layer_norm(x + shift), ops.layer_norm(x), atol=1e-9)


def test_layer_norm_rows_have_zero_mean_and_unit_variance():
    out = ops.layer_norm(np.random.default_rng(2).standard_normal((5, 64)) * 3)
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(-1), 1, atol=1e-5)


def test_softmax_of_huge_scores_is_finite_and_normalised():
    scores = np.array([[1e4, 1e4 - 1, -1e4], [800.0, 799.0, 0.0]])
    probs = ops.softmax(scores)
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(-1), 1.0)


def test_gelu_is_the_tanh_approximation():
    t = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    expected = 0.5 * t * (1 + np.tanh(np.sqrt(2 / np.pi) * (t + 0.044715 * t**3)))
    np.testing.assert_allclose(ops.gelu(t), expected, rtol=1e-15)
    assert not np.allclose(ops.gelu(t), ops.gelu_erf(t), rtol=0, atol=1e-5)


def test_cross_attention_ignores_the_order_of_encoder_positions():
    rng, y, enc, ws, w1, w2 = _setup(3, d=12)
    perm = rng.permutation(enc.shape[1])
    out = blocks.cross_attention_block(y, enc, *ws[:4], w1[:, :12], w2[:12], 3)
    permuted = blocks.cross_attention_block(y, enc[:, perm], *ws[:4], w1[:, :12], w2[:12], 3)
    np.testing.assert_allclose(permuted, out, atol=1e-12)


def test_decoder_ignores_encoder_order_when_padding_moves_with_it():
    rng, y, enc, ws, w1, w2 = _setup(4)
    pad = np.array([[False, False, False, True, True], [False] * 5])
    perm = rng.permutation(enc.shape[1])
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, 2, pad)
    permuted = blocks.decoder_layer(y, enc[:, perm], *ws, w1, w2, 2, pad[:, perm])
    np.testing.assert_allclose(permuted, out, atol=1e-12)


def test_decoder_position_i_does_not_see_later_positions():
    _, y, enc, ws, w1, w2 = _setup(5, t=7)
    out = blocks.decoder_layer(y, enc, *ws, w1, w2, 4)
    changed = y.copy()
    changed[:, 4:] = np.random.default_rng(9).standard_normal(changed[:, 4:].shape) * 5
    out_changed = blocks.decoder_layer(changed, enc, *ws, w1, w2, 4)
    np.testing.assert_allclose(out_changed[:, :4], out[:, :4], atol=1e-12)
    assert not np.allclose(out_changed[:, 4:], out[:, 4:])


def test_encoder_ignores_values_at_padded_keys():
    _, x, _, ws, w1, w2 = _setup(6, t=6)
    pad = np.array([[False] * 4 + [True] * 2, [False] * 6])
    out = blocks.encoder_layer(x, *ws[:4], w1, w2, 3, pad)
    changed = x.copy()
    changed[0, 4:] += 10.0
    out_changed = blocks.encoder_layer(changed, *ws[:4], w1, w2, 3, pad)
    np.testing.assert_allclose(out_changed[0, :4], out[0, :4], atol=1e-12)
    np.testing.assert_allclose(out_changed[1], out[1], atol=1e-12)


def _variant_inputs(seed):
    _, y, enc, ws, w1, w2 = _setup(seed, t=6, s=6)
    pad = np.array([[False] * 4 + [True] * 2, [False] * 6])
    return y, enc, ws, w1, w2, pad


def test_default_recipe_equals_the_exact_references():
    y, enc, ws, w1, w2, pad = _variant_inputs(7)
    np.testing.assert_allclose(cross_attention_block(y, enc, *ws[:4], w1[:, :12], w2[:12], 3),
                               blocks.cross_attention_block(y, enc, *ws[:4], w1[:, :12], w2[:12], 3), atol=1e-13)
    np.testing.assert_allclose(encoder_layer(y, *ws[:4], w1, w2, 3, pad),
                               blocks.encoder_layer(y, *ws[:4], w1, w2, 3, pad), atol=1e-13)
    np.testing.assert_allclose(decoder_layer(y, enc, *ws, w1, w2, 3, pad),
                               blocks.decoder_layer(y, enc, *ws, w1, w2, 3, pad), atol=1e-13)


RECIPE_CHANGES = [
    {"activation": "gelu_erf"}, {"activation": "relu"}, {"layer_norm_eps": 1e-3}, {"scale_scores": False},
    {"scale_by_d_model": True}, {"softmax_over_queries": True}, {"heads_transposed": False}, {"pre_ln": True},
    {"causal_cross": True}, {"causal_self": False}, {"use_padding": False}, {"residual": False},
    {"dtype": "float16"}, {"dtype": "float32"},
]


@pytest.mark.parametrize("change", RECIPE_CHANGES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_every_recipe_field_changes_the_decoder_layer(change):
    y, enc, ws, w1, w2, pad = _variant_inputs(8)
    exact = blocks.decoder_layer(y, enc, *ws, w1, w2, 3, pad)
    with np.errstate(all="ignore"):
        varied = decoder_layer(y, enc, *ws, w1, w2, 3, pad, recipe=Recipe.from_fields(change))
    assert not np.allclose(varied, exact, rtol=0, atol=1e-9)


def test_recipe_from_fields_names_unknown_fields():
    with pytest.raises(ValueError, match="softmax_axis"):
        Recipe.from_fields({"softmax_axis": 1})
