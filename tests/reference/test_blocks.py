"""The float64 NumPy references against an independent computation on torch.nn modules.

The independent side uses `torch.nn.MultiheadAttention` (its own head split, masking
and softmax), `F.layer_norm` and `F.gelu(approximate="tanh")`, all in float64, so
the two sides share no code. The other problems are checked the same way, keyed by
slug: torch's own SDPA and MultiheadAttention (with biases), the course's
exp-log positional table, decoding on the independent decoder layer, and BLEU in
plain floats. Every case of every problem under problems/ is checked, plus
hand-chosen shapes that cover all three blocks whatever problems exist.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from judge.cases import make_case
from judge.expected import expected_for
from judge.outputs import as_outputs, compare_all
from judge.problem import discover
from reference import blocks, torch_blocks

PROBLEMS = discover()
SECRET = "test"
ATOL = 1e-10


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def _mask(a):
    return None if a is None else torch.from_numpy(np.asarray(a, dtype=bool))


def _mha(w_q, w_k, w_v, w_o, num_heads):
    """A float64 MultiheadAttention without biases computing x @ W like the problems (torch does x @ W.T)."""
    d = np.shape(w_q)[0]
    module = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.in_proj_weight.copy_(torch.cat([_t(w_q).T, _t(w_k).T, _t(w_v).T]))
        module.out_proj.weight.copy_(_t(w_o).T)
    return module


def _ln(x):
    return F.layer_norm(x, (x.shape[-1],), eps=1e-5)


def _ffn(x, w_mlp1, w_mlp2):
    return F.gelu(x @ _t(w_mlp1), approximate="tanh") @ _t(w_mlp2)


@torch.no_grad()
def torch_cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y, enc = _t(decoder_x), _t(encoder_out)
    attended, _ = _mha(w_q, w_k, w_v, w_o, num_heads)(y, enc, enc, need_weights=False)
    x = _ln(y + attended)
    return _ln(x + _ffn(x, w_mlp1, w_mlp2)).numpy()


@torch.no_grad()
def torch_encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    xt = _t(x)
    mha = _mha(w_q, w_k, w_v, w_o, num_heads)
    attended, _ = mha(xt, xt, xt, key_padding_mask=_mask(padding_mask), need_weights=False)
    h = _ln(xt + attended)
    return _ln(h + _ffn(h, w_mlp1, w_mlp2)).numpy()


@torch.no_grad()
def torch_decoder_layer(
    decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v, cross_w_o,
    w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None,
):
    y, enc = _t(decoder_x), _t(encoder_out)
    t = y.shape[1]
    causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)  # True = may not attend
    self_mha = _mha(self_w_q, self_w_k, self_w_v, self_w_o, num_heads)
    h1 = _ln(y + self_mha(y, y, y, attn_mask=causal, need_weights=False)[0])
    cross_mha = _mha(cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads)
    attended, _ = cross_mha(h1, enc, enc, key_padding_mask=_mask(encoder_padding_mask), need_weights=False)
    h2 = _ln(h1 + attended)
    return _ln(h2 + _ffn(h2, w_mlp1, w_mlp2)).numpy()


@torch.no_grad()
def torch_sdpa(q, k, v, mask=None):
    allowed = None if mask is None else ~_mask(mask)  # torch's boolean mask is True where attention is allowed
    return F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=allowed).numpy()


@torch.no_grad()
def torch_multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    d = np.shape(w_q)[0]
    module = torch.nn.MultiheadAttention(d, num_heads, batch_first=True, dtype=torch.float64)
    module.in_proj_weight.copy_(torch.cat([_t(w_q).T, _t(w_k).T, _t(w_v).T]))
    module.in_proj_bias.copy_(torch.cat([_t(b_q), _t(b_k), _t(b_v)]))
    module.out_proj.weight.copy_(_t(w_o).T)
    module.out_proj.bias.copy_(_t(b_o))
    # torch wants a (N * h, T_q, T_k) mask, True = may not attend, batch-major
    per_head = None if mask is None else _mask(mask).repeat_interleave(num_heads, dim=0)
    return module(_t(query), _t(key), _t(value), attn_mask=per_head, need_weights=False)[0].numpy()


def torch_positional_encoding(max_len, d_model):
    """The course's module in float64: frequencies as exp(-2i ln(10000) / d)."""
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table.numpy()


def torch_greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k,
                        cross_w_v, cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len,
                        encoder_padding_mask=None):
    """Decoding as the statement says, on the independent float64 decoder layer above."""
    n, d = np.shape(encoder_out)[0], np.shape(embedding)[1]
    table = torch_positional_encoding(max_len + 1, d)
    tokens = np.full((n, 1), bos_id, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    for _ in range(max_len):
        y = np.asarray(embedding, dtype=np.float64)[tokens] * math.sqrt(d) + table[: tokens.shape[1]]
        h = torch_decoder_layer(y, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k,
                                cross_w_v, cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask)
        chosen = np.argmax(h[:, -1] @ np.asarray(w_out, dtype=np.float64), axis=-1)
        chosen = np.where(done, eos_id, chosen)
        done |= chosen == eos_id
        tokens = np.concatenate([tokens, chosen[:, None]], axis=1)
    return tokens[:, 1:]


def plain_corpus_bleu(candidates, references):
    """BLEU-4 from the statement's definition, in floats with Counter (the reference counts exactly)."""
    matches, totals = [0] * 4, [0] * 4
    for candidate, reference in zip(candidates, references, strict=True):
        for n in range(1, 5):
            grams = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
            theirs = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
            matches[n - 1] += sum(min(count, theirs[g]) for g, count in grams.items())
            totals[n - 1] += max(len(candidate) - n + 1, 0)
    c, r = sum(map(len, candidates)), sum(map(len, references))
    if c == 0 or min(matches) == 0:
        return 0.0
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return brevity * math.exp(sum(0.25 * math.log(m / t) for m, t in zip(matches, totals, strict=True)))


INDEPENDENT = {
    "cross-attention": torch_cross_attention_block,
    "encoder-layer": torch_encoder_layer,
    "decoder-layer": torch_decoder_layer,
    "scaled-dot-product-attention": torch_sdpa,
    "multi-head-attention": torch.no_grad()(torch_multi_head_attention),
    "positional-encoding": torch_positional_encoding,
    "greedy-decode": torch_greedy_decode,
    "bleu": plain_corpus_bleu,
}

EVERY_CASE = [
    pytest.param(slug, spec, id=f"{slug}/{spec.name}") for slug, problem in PROBLEMS.items() for spec in problem.cases
]


def test_problems_exist_and_each_reference_has_an_independent_check():
    assert PROBLEMS, "no problems under problems/"
    unchecked = set(PROBLEMS) - set(INDEPENDENT)
    assert not unchecked, f"references without an independent torch check: {sorted(unchecked)}"


@pytest.mark.parametrize(("slug", "spec"), EVERY_CASE)
def test_reference_matches_torch_modules_on_every_case(slug, spec):
    problem = PROBLEMS[slug]
    case = make_case(problem, spec, SECRET)
    ours = as_outputs(problem, problem.reference_function()(**case.pristine_inputs()))
    theirs = as_outputs(problem, INDEPENDENT[slug](**case.pristine_inputs()))
    for output, mine, other in zip(problem.outputs, ours, theirs, strict=True):
        assert mine.shape == tuple(spec.dims[d] for d in output.shape)
        if output.dtype == "int":
            np.testing.assert_array_equal(mine, other)
        else:
            np.testing.assert_allclose(mine, other, rtol=0, atol=ATOL * (1 + np.abs(mine).max(initial=0)))


# ---- hand-chosen shapes: all three blocks, whatever problems exist ----------------------------------------------


def _weights(rng, d, d_ff, count):
    ws = [rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(count)]
    return ws, rng.standard_normal((d, d_ff)) / np.sqrt(d), rng.standard_normal((d_ff, d)) / np.sqrt(d_ff)


def _varied_padding(rng, n, s):
    """(N, S), True = padded: row lengths 1..S, with a length-1 row and a full row whenever N allows."""
    kept = rng.integers(1, s + 1, size=n)
    kept[0] = 1
    if n > 1:
        kept[-1] = s
    return np.arange(s)[None, :] >= kept[:, None]


# (N, T_dec, T_enc, d, d_ff, h)
SHAPES = [
    (1, 1, 1, 4, 4, 1),
    (2, 1, 6, 8, 12, 2),
    (3, 5, 1, 6, 10, 1),
    (4, 7, 9, 12, 20, 3),
    (2, 9, 3, 10, 7, 5),
    (5, 4, 11, 16, 32, 8),
]
SHAPE_IDS = [f"N{n}-Tdec{t}-Tenc{s}-d{d}-dff{f}-h{h}" for n, t, s, d, f, h in SHAPES]


@pytest.mark.parametrize(("n", "t_dec", "t_enc", "d", "d_ff", "h"), SHAPES, ids=SHAPE_IDS)
def test_cross_attention_block_on_hand_chosen_shapes(n, t_dec, t_enc, d, d_ff, h):
    rng = np.random.default_rng([1, n, t_dec, t_enc, d, h])
    ws, w1, w2 = _weights(rng, d, d, 4)  # the cross-attention block's feed-forward is square
    y, enc = rng.standard_normal((n, t_dec, d)), 3 * rng.standard_normal((n, t_enc, d))
    np.testing.assert_allclose(
        blocks.cross_attention_block(y, enc, *ws, w1, w2, h),
        torch_cross_attention_block(y, enc, *ws, w1, w2, h),
        rtol=0, atol=ATOL,
    )


@pytest.mark.parametrize(("n", "t_dec", "t_enc", "d", "d_ff", "h"), SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("padded", [False, True], ids=["no-padding", "varied-padding"])
def test_encoder_layer_on_hand_chosen_shapes(n, t_dec, t_enc, d, d_ff, h, padded):
    rng = np.random.default_rng([2, n, t_dec, t_enc, d, h])
    ws, w1, w2 = _weights(rng, d, d_ff, 4)
    x = 2 * rng.standard_normal((n, t_enc, d))
    pad = _varied_padding(rng, n, t_enc) if padded else None
    ours = blocks.encoder_layer(x, *ws, w1, w2, h, pad)
    np.testing.assert_allclose(ours, torch_encoder_layer(x, *ws, w1, w2, h, pad), rtol=0, atol=ATOL)
    if padded and t_enc > 1:  # the mask must matter here, or this would not test it
        assert not np.allclose(ours, blocks.encoder_layer(x, *ws, w1, w2, h), rtol=0, atol=1e-6)


@pytest.mark.parametrize(("n", "t_dec", "t_enc", "d", "d_ff", "h"), SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("padded", [False, True], ids=["no-padding", "varied-padding"])
def test_decoder_layer_on_hand_chosen_shapes(n, t_dec, t_enc, d, d_ff, h, padded):
    rng = np.random.default_rng([3, n, t_dec, t_enc, d, h])
    ws, w1, w2 = _weights(rng, d, d_ff, 8)
    y, enc = rng.standard_normal((n, t_dec, d)), 2 * rng.standard_normal((n, t_enc, d))
    pad = _varied_padding(rng, n, t_enc) if padded else None
    ours = blocks.decoder_layer(y, enc, *ws, w1, w2, h, pad)
    np.testing.assert_allclose(ours, torch_decoder_layer(y, enc, *ws, w1, w2, h, pad), rtol=0, atol=ATOL)


def test_padding_mask_none_equals_an_all_false_mask():
    rng = np.random.default_rng(4)
    ws, w1, w2 = _weights(rng, 8, 16, 8)
    y, enc = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 5, 8))
    nothing_padded = np.zeros((2, 5), dtype=bool)
    np.testing.assert_array_equal(
        blocks.encoder_layer(enc, *ws[:4], w1, w2, 2, nothing_padded), blocks.encoder_layer(enc, *ws[:4], w1, w2, 2)
    )
    np.testing.assert_array_equal(
        blocks.decoder_layer(y, enc, *ws, w1, w2, 2, nothing_padded), blocks.decoder_layer(y, enc, *ws, w1, w2, 2)
    )


def test_references_accept_float32_and_return_float64():
    rng = np.random.default_rng(5)
    ws, w1, w2 = _weights(rng, 8, 8, 4)
    y, enc = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 4, 8))
    as32 = [a.astype(np.float32) for a in (y, enc, *ws, w1, w2)]
    out = blocks.cross_attention_block(*as32, 2)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, torch_cross_attention_block(*as32, 2), rtol=0, atol=ATOL)


# ---- the float32 Torch baseline -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "spec"), EVERY_CASE)
def test_torch_baseline_is_close_to_the_numpy_reference(slug, spec):
    problem = PROBLEMS[slug]
    case = make_case(problem, spec, SECRET)
    out = problem.torch_function()(**case.pristine_inputs())
    if isinstance(out, torch.Tensor) and problem.outputs[0].dtype == "float":
        assert out.dtype in (torch.float32, torch.float64)
    expected = expected_for(problem, case)
    theirs = as_outputs(problem, out)
    which, comparison = compare_all(problem, theirs, expected.outputs, expected.tolerance, case.pristine_inputs())
    assert comparison.passed, f"{problem.outputs[which].name}: {comparison.message}"


@pytest.mark.parametrize(("n", "t_dec", "t_enc", "d", "d_ff", "h"), SHAPES, ids=SHAPE_IDS)
def test_torch_baseline_on_hand_chosen_shapes(n, t_dec, t_enc, d, d_ff, h):
    rng = np.random.default_rng([6, n, t_dec, t_enc, d, h])
    ws, w1, w2 = _weights(rng, d, d_ff, 8)
    y, enc = rng.standard_normal((n, t_dec, d)), rng.standard_normal((n, t_enc, d))
    pad = _varied_padding(rng, n, t_enc)
    y, enc, w1, w2 = (a.astype(np.float32) for a in (y, enc, w1, w2))
    ws = [w.astype(np.float32) for w in ws]
    sq1, sq2 = ws[4][:, :d], ws[5]  # square feed-forward weights for the cross-attention block
    pairs = [
        (torch_blocks.cross_attention_block(y, enc, *ws[:4], sq1, sq2, h),
         blocks.cross_attention_block(y, enc, *ws[:4], sq1, sq2, h)),
        (torch_blocks.encoder_layer(enc, *ws[:4], w1, w2, h, pad), blocks.encoder_layer(enc, *ws[:4], w1, w2, h, pad)),
        (torch_blocks.encoder_layer(enc, *ws[:4], w1, w2, h), blocks.encoder_layer(enc, *ws[:4], w1, w2, h)),
        (torch_blocks.decoder_layer(y, enc, *ws, w1, w2, h, pad), blocks.decoder_layer(y, enc, *ws, w1, w2, h, pad)),
        (torch_blocks.decoder_layer(y, enc, *ws, w1, w2, h), blocks.decoder_layer(y, enc, *ws, w1, w2, h)),
    ]
    for theirs, ours in pairs:
        np.testing.assert_allclose(theirs.cpu().numpy(), ours, rtol=0, atol=1e-4)
