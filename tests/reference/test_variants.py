"""The recipe-built variants: Recipe() is the reference, and every other choice is visible."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reference import blocks, variants
from reference.variants import Recipe


def _inputs(seed, n=3, t_dec=5, t_enc=6, d=12, d_ff=20, scale=1.0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(8)]
    w1, w2 = rng.standard_normal((d, d_ff)) / np.sqrt(d), rng.standard_normal((d_ff, d)) / np.sqrt(d_ff)
    sq1, sq2 = rng.standard_normal((d, d)) / np.sqrt(d), rng.standard_normal((d, d)) / np.sqrt(d)
    y, enc = scale * rng.standard_normal((n, t_dec, d)), scale * rng.standard_normal((n, t_enc, d))
    kept = rng.integers(1, t_enc + 1, size=n)
    kept[0], kept[-1] = 1, t_enc
    pad = np.arange(t_enc)[None, :] >= kept[:, None]
    return {"y": y, "enc": enc, "ws": ws, "w1": w1, "w2": w2, "sq1": sq1, "sq2": sq2, "pad": pad}


def _run(module, block, inp, num_heads, recipe=None, padded=True):
    """One block from `module` (reference.blocks or reference.variants) on the shared inputs."""
    extra = {} if recipe is None else {"recipe": recipe}
    pad = inp["pad"] if padded else None
    if block == "cross":
        return module.cross_attention_block(inp["y"], inp["enc"], *inp["ws"][:4], inp["sq1"], inp["sq2"], num_heads,
                                            **extra)
    if block == "encoder":
        return module.encoder_layer(inp["enc"], *inp["ws"][:4], inp["w1"], inp["w2"], num_heads, pad, **extra)
    return module.decoder_layer(inp["y"], inp["enc"], *inp["ws"], inp["w1"], inp["w2"], num_heads, pad, **extra)


BLOCKS = ["cross", "encoder", "decoder"]


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize(("shape", "num_heads"), [
    ({"n": 1, "t_dec": 1, "t_enc": 1, "d": 4, "d_ff": 4}, 1),
    ({"n": 3, "t_dec": 5, "t_enc": 6, "d": 12, "d_ff": 20}, 3),
    ({"n": 2, "t_dec": 9, "t_enc": 4, "d": 16, "d_ff": 8}, 8),
], ids=["tiny", "mid", "many-heads"])
@pytest.mark.parametrize("padded", [False, True], ids=["no-padding", "padding"])
def test_default_recipe_equals_the_reference(block, shape, num_heads, padded):
    inp = _inputs(7, **shape)
    exact = _run(blocks, block, inp, num_heads, padded=padded)
    assert exact.dtype == np.float64
    for varied in (_run(variants, block, inp, num_heads, padded=padded),
                   _run(variants, block, inp, num_heads, Recipe(), padded=padded)):
        assert varied.dtype == np.float64
        np.testing.assert_allclose(varied, exact, rtol=0, atol=1e-12)


# For every non-default value of every field: a block and an input on which it shows.
# (field, value, block, num_heads, input options)
DISTINGUISHABLE = [
    ("activation", "gelu_erf", "cross", 3, {}),
    ("activation", "relu", "encoder", 3, {}),
    ("layer_norm_eps", 1e-3, "decoder", 3, {}),
    ("scale_scores", False, "cross", 3, {}),
    ("scale_by_d_model", True, "encoder", 3, {}),  # needs num_heads > 1: with one head d_head = d_model
    ("softmax_over_queries", True, "decoder", 3, {}),
    ("stable_softmax", False, "cross", 2, {"scale": 40.0}),  # needs scores beyond exp's float64 range (709)
    ("heads_transposed", False, "decoder", 3, {}),  # needs num_heads > 1 and T > 1
    ("pre_ln", True, "cross", 3, {}),
    ("causal_cross", True, "cross", 3, {}),
    ("causal_cross", True, "encoder", 3, {}),  # for the encoder: a causal mask on bidirectional attention
    ("causal_cross", True, "decoder", 3, {}),
    ("causal_self", False, "decoder", 3, {}),
    ("use_padding", False, "encoder", 3, {}),
    ("use_padding", False, "decoder", 3, {}),
    ("residual", False, "encoder", 3, {}),
    ("dtype", "float32", "decoder", 3, {}),
    ("dtype", "float16", "cross", 3, {}),
    ("final_layer_norm", False, "decoder", 3, {"with": {"pre_ln": True}}),  # only pre-LN has a final LayerNorm
    ("layer_norm_form", "unbiased", "cross", 3, {}),
    ("layer_norm_form", "std-eps", "encoder", 3, {"scale": 0.01}),  # eps only matters beside a small variance
    ("layer_norm_form", "unbiased-std-eps", "decoder", 3, {}),
    ("padding_inverted", True, "encoder", 3, {}),
    ("padding_inverted", True, "decoder", 3, {}),
    ("output_projection", False, "cross", 3, {}),
    ("fused_split", True, "encoder", 3, {}),  # Q, K and V fused
    ("fused_split", True, "cross", 3, {}),  # K and V fused
    ("kv_from_decoder", True, "cross", 3, {}),
    ("kv_from_decoder", True, "decoder", 3, {}),
    ("single_head", True, "encoder", 3, {}),
    ("sublayer_order", "reversed", "cross", 3, {}),
    ("sublayer_order", "cross-first", "decoder", 3, {}),
    ("shared_weight", "k=q", "cross", 3, {}),
    ("shared_weight", "v=k", "decoder", 3, {}),
    ("attention_scope", "cross", "decoder", 3, {"with": {"output_projection": False}}),  # scopes another mistake
]


def test_every_recipe_field_has_a_distinguishing_case():
    non_default = {f.name for f in dataclasses.fields(Recipe)}
    assert non_default == {field for field, *_ in DISTINGUISHABLE}
    for field, value, *_ in DISTINGUISHABLE:
        assert getattr(Recipe(), field) != value, f"{field}={value!r} is the default"


@pytest.mark.parametrize(("field", "value", "block", "num_heads", "options"), DISTINGUISHABLE,
                         ids=[f"{f}={v}-{b}" for f, v, b, *_ in DISTINGUISHABLE])
def test_each_non_default_recipe_field_changes_the_output(field, value, block, num_heads, options):
    base = options.pop("with", {})  # a field that acts only beside another is compared with that other alone
    inp = _inputs(8, **options)
    exact = _run(variants, block, inp, num_heads, Recipe(**base)) if base else _run(blocks, block, inp, num_heads)
    with np.errstate(all="ignore"):  # float16 and the unstable softmax overflow on purpose
        varied = np.asarray(_run(variants, block, inp, num_heads, Recipe(**base, **{field: value})))
    assert varied.shape == exact.shape
    assert np.isfinite(exact).all()
    if field == "stable_softmax":
        assert not np.isfinite(varied).all(), "exp of large scores should overflow without the max subtracted"
    else:  # float32 rounding moves the output by ~1e-7; every real mistake by far more
        assert np.abs(varied.astype(np.float64) - exact).max() > (1e-9 if value == "float32" else 1e-5)


def test_the_unstable_softmax_overflows_in_float32_at_moderate_magnitude():
    inp = _inputs(8, scale=12.0)
    exact = _run(blocks, "cross", inp, 2)
    with np.errstate(all="ignore"):
        stable = _run(variants, "cross", inp, 2, Recipe(dtype="float32"))
        unstable = _run(variants, "cross", inp, 2, Recipe(dtype="float32", stable_softmax=False))
    assert np.isfinite(stable).all()
    np.testing.assert_allclose(stable, exact, rtol=0, atol=1e-4)
    assert not np.isfinite(unstable).all()


def test_the_unstable_softmax_agrees_on_moderate_scores():
    inp = _inputs(9)
    np.testing.assert_allclose(_run(variants, "cross", inp, 3, Recipe(stable_softmax=False)),
                               _run(blocks, "cross", inp, 3), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("field", "value"), [("scale_by_d_model", True), ("heads_transposed", False)])
def test_head_mistakes_vanish_with_one_head(field, value):
    # why the problems' cases need num_heads > 1: with one head these mistakes are invisible
    inp = _inputs(10)
    for block in BLOCKS:
        np.testing.assert_allclose(_run(variants, block, inp, 1, Recipe(**{field: value})),
                                   _run(blocks, block, inp, 1), rtol=0, atol=1e-12)


def test_padding_mistake_vanishes_without_padding():
    inp = _inputs(11)
    for block in ("encoder", "decoder"):
        np.testing.assert_allclose(_run(variants, block, inp, 3, Recipe(use_padding=False), padded=False),
                                   _run(blocks, block, inp, 3, padded=False), rtol=0, atol=1e-12)


def test_dtype_recipe_computes_in_that_dtype():
    inp = _inputs(12)
    for dtype in ("float32", "float16"):
        with np.errstate(all="ignore"):
            out = _run(variants, "decoder", inp, 3, Recipe(dtype=dtype))
        assert out.dtype == np.dtype(dtype)


def test_from_fields_builds_the_recipe():
    assert Recipe.from_fields({}) == Recipe()
    recipe = Recipe.from_fields({"activation": "relu", "layer_norm_eps": 1e-3})
    assert recipe == Recipe(activation="relu", layer_norm_eps=1e-3)


def test_from_fields_rejects_unknown_fields_naming_them():
    with pytest.raises(ValueError, match="softmax_axis") as info:
        Recipe.from_fields({"softmax_axis": 1, "activation": "relu", "zz_top": True})
    message = str(info.value)
    assert "zz_top" in message
    assert "'activation'" not in message.split("known")[0], "a known field was reported as unknown"


def test_recipes_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Recipe().pre_ln = True  # type: ignore[misc]
