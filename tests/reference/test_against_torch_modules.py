"""The NumPy references against an independent float64 computation on torch.nn modules."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from judge.cases import make_cases
from judge.problem import discover
from reference import blocks

PROBLEMS = discover()


def _mha_module(w_q, w_k, w_v, w_o, num_heads):
    d = w_q.shape[0]
    mha = torch.nn.MultiheadAttention(d, num_heads, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        # torch computes x @ W.T, the problems x @ W
        mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([w_q.T, w_k.T, w_v.T]).astype(np.float64)))
        mha.out_proj.weight.copy_(torch.from_numpy(w_o.T.astype(np.float64)))
    return mha


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def _ln(x):
    return F.layer_norm(x, (x.shape[-1],), eps=1e-5)


def _ffn(x, w_mlp1, w_mlp2):
    return F.gelu(x @ _t(w_mlp1), approximate="tanh") @ _t(w_mlp2)


@torch.no_grad()
def torch_cross_attention(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y, enc = _t(decoder_x), _t(encoder_out)
    attended, _ = _mha_module(w_q, w_k, w_v, w_o, num_heads)(y, enc, enc, need_weights=False)
    x = _ln(y + attended)
    return _ln(x + _ffn(x, w_mlp1, w_mlp2)).numpy()


@torch.no_grad()
def torch_encoder(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    xt = _t(x)
    mask = None if padding_mask is None else torch.from_numpy(padding_mask)
    attended, _ = _mha_module(w_q, w_k, w_v, w_o, num_heads)(xt, xt, xt, key_padding_mask=mask, need_weights=False)
    h = _ln(xt + attended)
    return _ln(h + _ffn(h, w_mlp1, w_mlp2)).numpy()


@torch.no_grad()
def torch_decoder(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = _t(decoder_x), _t(encoder_out)
    t = y.shape[1]
    causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    self_mha = _mha_module(self_w_q, self_w_k, self_w_v, self_w_o, num_heads)
    h1 = _ln(y + self_mha(y, y, y, attn_mask=causal, need_weights=False)[0])
    mask = None if encoder_padding_mask is None else torch.from_numpy(encoder_padding_mask)
    cross_mha = _mha_module(cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads)
    h2 = _ln(h1 + cross_mha(h1, enc, enc, key_padding_mask=mask, need_weights=False)[0])
    return _ln(h2 + _ffn(h2, w_mlp1, w_mlp2)).numpy()


INDEPENDENT = {
    "reference.blocks:cross_attention_block": torch_cross_attention,
    "reference.blocks:encoder_layer": torch_encoder,
    "reference.blocks:decoder_layer": torch_decoder,
}


@pytest.mark.parametrize(
    ("slug", "secret"), [(slug, secret) for slug in PROBLEMS for secret in ("a", "b")]
)
def test_reference_matches_torch_modules_on_every_case(slug, secret):
    problem = PROBLEMS[slug]
    independent = INDEPENDENT[problem.reference]
    for case in make_cases(problem, secret):
        ours = problem.reference_function()(**case.inputs)
        theirs = independent(**case.inputs)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10, err_msg=f"{slug}/{case.name}")


def test_every_reference_has_an_independent_check():
    assert {p.reference for p in PROBLEMS.values()} <= set(INDEPENDENT)


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(("n", "t", "s", "d", "h"), [(1, 1, 1, 4, 1), (3, 5, 7, 12, 3), (2, 9, 2, 10, 5)])
def test_blocks_directly_with_padding(n, t, s, d, h):
    rng = np.random.default_rng(n * 100 + t)
    ws = [_rand(rng, d, d) / np.sqrt(d) for _ in range(8)]
    w1, w2 = _rand(rng, d, 2 * d + 1) / np.sqrt(d), _rand(rng, 2 * d + 1, d) / np.sqrt(2 * d + 1)
    y, enc = _rand(rng, n, t, d), _rand(rng, n, s, d)
    keep = rng.integers(1, s + 1, size=n)
    pad = np.arange(s)[None, :] >= keep[:, None]
    np.testing.assert_allclose(
        blocks.cross_attention_block(y, enc, *ws[:4], w1[:, :d], w2[:d], h),
        torch_cross_attention(y, enc, *ws[:4], w1[:, :d], w2[:d], h), atol=1e-10, rtol=0)
    np.testing.assert_allclose(
        blocks.encoder_layer(enc, *ws[:4], w1, w2, h, pad), torch_encoder(enc, *ws[:4], w1, w2, h, pad),
        atol=1e-10, rtol=0)
    np.testing.assert_allclose(
        blocks.decoder_layer(y, enc, *ws, w1, w2, h, pad), torch_decoder(y, enc, *ws, w1, w2, h, pad),
        atol=1e-10, rtol=0)


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_torch_float32_reference_is_close_to_numpy(slug):
    problem = PROBLEMS[slug]
    for case in make_cases(problem, "torch")[:4]:
        ours = problem.reference_function()(**case.inputs)
        theirs = problem.torch_function()(**case.inputs).cpu().numpy()
        np.testing.assert_allclose(theirs, ours, atol=1e-4, rtol=0)
