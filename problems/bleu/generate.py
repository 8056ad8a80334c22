"""Trusted: draws a corpus of candidates and their references, correlated so that BLEU is not 0 by accident.

Each reference is its candidate edited: tokens substituted, dropped and inserted,
and always of a different length. The case's `params` pick the edge:

- `lengths`: "mixed" (default: as many drops as insertions), "shorter" (the
  references gain tokens: candidates shorter than their references, so the
  brevity penalty applies) or "longer" (the references lose tokens);
- `min_length`: the shortest candidate (default 1); the longest is the dim L;
- `repeat`: k > 0 appends to about half the candidates a run of k copies of one
  of their reference's tokens, so that clipping matters;
- `empty`: every candidate is the empty list (BLEU is 0.0);
- `foreign_every`: k > 0 replaces every k-th reference token (positions k-1,
  2k-1, ...) by one that no candidate holds, and appends one more, so that no
  k-gram matches: p_k = 0 and BLEU is 0.0, while the lower orders match;
- `allow_zero`: keep a draw whose BLEU is 0.0 (sentences too short for a 4-gram).
  Otherwise the corpus is drawn again until some 4-gram matches.

Dims: N sentences, L the longest candidate (before a `repeat` run is added,
which stays within L), V the vocabulary (token ids 0 .. V-1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reference.bleu import corpus_statistics

__all__ = ["generate"]

MAX_TRIES = 100
_EDITS = {"mixed": (0.15, 0.08, 0.08), "shorter": (0.15, 0.0, 0.2), "longer": (0.15, 0.2, 0.0)}  # sub, drop, insert
_KNOWN = {"lengths", "min_length", "repeat", "empty", "foreign_every", "allow_zero"}


def _other(rng: np.random.Generator, token: int, vocab: int) -> int:
    """A token of [0, vocab) other than `token` (vocab >= 2)."""
    return int((token + rng.integers(1, vocab)) % vocab)


def _edited(rng: np.random.Generator, candidate: list[int], vocab: int, lengths: str) -> list[int]:
    """The candidate with substitutions, drops and insertions, of a different length."""
    sub, drop, insert = _EDITS[lengths]
    out: list[int] = []
    for token in candidate:
        u = rng.random()
        if u >= drop:
            out.append(_other(rng, token, vocab) if u < drop + sub else token)
        if rng.random() < insert:
            out.append(int(rng.integers(vocab)))
    if not out:  # a reference is never empty
        out.append(int(rng.integers(vocab)))
    if len(out) == len(candidate):
        grow = lengths == "shorter" or len(out) < 2 or (lengths == "mixed" and rng.random() < 0.5)
        at = int(rng.integers(len(out) + (1 if grow else 0)))
        if grow:
            out.insert(at, int(rng.integers(vocab)))
        else:
            del out[at]
    return out


def _draw(rng: np.random.Generator, dims: dict[str, int], params: dict[str, Any]) -> dict[str, list[list[int]]]:
    n, longest, vocab = dims["N"], dims["L"], dims["V"]
    repeat = int(params.get("repeat", 0))
    every = int(params.get("foreign_every", 0))
    top = longest - repeat  # the longest candidate before its run
    shortest = min(int(params.get("min_length", 1)), top)
    lengths = rng.integers(shortest, top + 1, size=n)
    if params.get("empty", False):
        references = [[int(t) for t in rng.integers(0, vocab, size=int(k))] for k in lengths]
        return {"candidates": [[] for _ in range(n)], "references": references}
    if every:
        # candidates use [0, V/2); every `every`-th reference token, and one more at the end, comes from
        # [V/2, V): each reference n-gram with n >= every holds a token that no candidate has
        half = vocab // 2
        candidates = [[int(t) for t in rng.integers(0, half, size=int(k))] for k in lengths]
        references = [[int(rng.integers(half, vocab)) if i % every == every - 1 else t for i, t in enumerate(c)]
                      + [int(rng.integers(half, vocab))] for c in candidates]
        return {"candidates": candidates, "references": references}
    candidates = [[int(t) for t in rng.integers(0, vocab, size=int(k))] for k in lengths]
    references = [_edited(rng, c, vocab, params.get("lengths", "mixed")) for c in candidates]
    if repeat:
        inflated = rng.random(n) < 0.5
        inflated[rng.integers(n)] = True
        for i in np.flatnonzero(inflated):
            if references[i]:
                token = references[i][int(rng.integers(len(references[i])))]
                candidates[i] = candidates[i] + [token] * repeat
                if len(candidates[i]) == len(references[i]):  # keep the lengths different
                    references[i].append(int(rng.integers(vocab)))
    return {"candidates": candidates, "references": references}


def generate(rng: np.random.Generator, dims: dict[str, int], params: dict[str, Any]) -> dict[str, list[list[int]]]:
    """The case's `candidates` and `references`: N lists of Python ints each."""
    unknown = sorted(set(params) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown params {unknown}; known: {sorted(_KNOWN)}")
    if params.get("lengths", "mixed") not in _EDITS:
        raise ValueError(f"lengths must be one of {sorted(_EDITS)}, not {params['lengths']!r}")
    if dims["V"] < 2:
        raise ValueError("V must be at least 2")
    if not 0 <= int(params.get("repeat", 0)) < dims["L"]:
        raise ValueError("repeat must be at least 0 and below L")
    zero_by_design = params.get("empty", False) or params.get("foreign_every", 0) or params.get("allow_zero", False)
    for _ in range(MAX_TRIES):
        drawn = _draw(rng, dims, params)
        if zero_by_design or corpus_statistics(drawn["candidates"], drawn["references"]).matches[-1] > 0:
            return drawn
    raise ValueError(f"no draw in {MAX_TRIES} had a matching 4-gram: longer sentences (L), or allow_zero")
