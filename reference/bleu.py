"""Corpus BLEU-4 (uniform weights, one reference per candidate, no smoothing) and its known-wrong variants.

For n = 1..4, p_n = m_n / t_n: m_n sums over the corpus the candidate n-grams
matched in their own reference, each n-gram's count clipped to its count in that
reference; t_n sums the candidates' n-grams. With c and r the total candidate
and reference lengths, BP = 1 if c > r else exp(1 - r/c), and

    BLEU = BP * exp(sum_n 1/4 * log p_n)  =  BP * (p_1 p_2 p_3 p_4)^(1/4).

BLEU is 0.0 when c = 0 or when some m_n = 0 (an order without a single match,
which includes an order of which the candidates hold no n-gram at all).

`corpus_bleu` is the reference: the counts are integers, the product of the
precisions an exact fraction, so the only roundings are the final root and exp.
A `BleuRecipe` spells out every choice a student can get wrong; `variant_bleu`
builds it (the default recipe is the reference, up to rounding). Used by the
bleu problem's reference, mistakes and generator.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Literal

import numpy as np

MAX_ORDER = 4

Tokens = Sequence[int]


def ngrams(tokens: Tokens, n: int) -> Counter[tuple[int, ...]]:
    """The n-grams of one sentence with their counts."""
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class Statistics:
    """What BLEU is computed from: per order n = 1..max_order, matches and candidate n-grams; the lengths."""

    matches: tuple[int, ...]  # m_n: matched candidate n-grams (clipped unless told otherwise)
    totals: tuple[int, ...]  # t_n: candidate n-grams
    candidate_length: int  # c
    reference_length: int  # r

    def __add__(self, other: Statistics) -> Statistics:
        return Statistics(tuple(a + b for a, b in zip(self.matches, other.matches, strict=True)),
                          tuple(a + b for a, b in zip(self.totals, other.totals, strict=True)),
                          self.candidate_length + other.candidate_length,
                          self.reference_length + other.reference_length)


def sentence_statistics(candidate: Tokens, reference: Tokens, max_order: int = MAX_ORDER,
                        clip: bool = True) -> Statistics:
    """One pair's statistics. Without clipping, every candidate n-gram found in the reference counts."""
    matches, totals = [], []
    for n in range(1, max_order + 1):
        cand, ref = ngrams(candidate, n), ngrams(reference, n)
        if clip:
            matches.append(sum(min(count, ref[gram]) for gram, count in cand.items()))
        else:
            matches.append(sum(count for gram, count in cand.items() if gram in ref))
        totals.append(sum(cand.values()))
    return Statistics(tuple(matches), tuple(totals), len(candidate), len(reference))


def corpus_statistics(candidates: Sequence[Tokens], references: Sequence[Tokens], max_order: int = MAX_ORDER,
                      clip: bool = True) -> Statistics:
    """The statistics summed over the corpus."""
    total = Statistics((0,) * max_order, (0,) * max_order, 0, 0)
    for candidate, reference in zip(candidates, references, strict=True):
        total = total + sentence_statistics(candidate, reference, max_order, clip)
    return total


def corpus_bleu(candidates: Sequence[Tokens], references: Sequence[Tokens]) -> float:
    """The exact corpus BLEU-4 (see the module docstring), correctly rounded up to the last root and exp."""
    stats = corpus_statistics(candidates, references)
    c, r = stats.candidate_length, stats.reference_length
    if c == 0 or min(stats.matches) == 0:
        return 0.0
    product = math.prod(Fraction(m, t) for m, t in zip(stats.matches, stats.totals, strict=True))  # exact
    geometric_mean = math.sqrt(math.sqrt(float(product)))  # (p_1 p_2 p_3 p_4)^(1/4)
    brevity = 1.0 if c > r else math.exp(float(Fraction(c - r, c)))  # exp(1 - r/c), its argument exact
    return brevity * geometric_mean


@dataclass(frozen=True)
class BleuRecipe:
    """Every choice in corpus BLEU that a student can get wrong; the defaults are right."""

    clip: bool = True  # clip each n-gram's count to its count in the reference
    brevity: Literal["corpus", "none", "inverted"] = "corpus"  # "inverted": exp(1 - c/r) when c < r
    average: Literal["corpus", "sentence"] = "corpus"  # "sentence": the mean of sentence-level BLEUs
    smoothing: Literal["none", "add-one"] = "none"  # "add-one": (m_n + 1) / (t_n + 1) for n > 1
    max_order: int = MAX_ORDER  # the geometric mean over n = 1..max_order, weights 1/max_order
    scale: float = 1.0  # 100.0: a percentage
    dtype: Literal["float64", "float32"] = "float64"  # the arithmetic after the (integer) counts

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> BleuRecipe:
        """Build a recipe from manifest data, naming any unknown field or value."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        recipe = cls(**values)
        allowed = {"brevity": ("corpus", "none", "inverted"), "average": ("corpus", "sentence"),
                   "smoothing": ("none", "add-one"), "dtype": ("float64", "float32")}
        for name, values_ok in allowed.items():
            if getattr(recipe, name) not in values_ok:
                raise ValueError(f"{name} must be one of {list(values_ok)}, not {getattr(recipe, name)!r}")
        if not isinstance(recipe.max_order, int) or not 1 <= recipe.max_order <= MAX_ORDER:
            raise ValueError(f"max_order must be an integer in 1..{MAX_ORDER}, not {recipe.max_order!r}")
        return recipe


def _score(stats: Statistics, recipe: BleuRecipe) -> float:
    """BLEU from statistics as `recipe` computes it, in its dtype."""
    real = np.float64 if recipe.dtype == "float64" else np.float32
    matches, totals = list(stats.matches), list(stats.totals)
    if recipe.smoothing == "add-one":
        matches = [m + (n > 0) for n, m in enumerate(matches)]
        totals = [t + (n > 0) for n, t in enumerate(totals)]
    c, r = stats.candidate_length, stats.reference_length
    if c == 0 or min(matches) == 0:
        return 0.0
    log_sum = real(0.0)
    for m, t in zip(matches, totals, strict=True):
        log_sum += np.log(real(m) / real(t))
    geometric_mean = np.exp(log_sum / real(recipe.max_order))
    if recipe.brevity == "none" or c > r:
        brevity = real(1.0)
    elif recipe.brevity == "inverted":
        brevity = np.exp(real(1.0) - real(c) / real(r))
    else:
        brevity = np.exp(real(1.0) - real(r) / real(c))
    return float(real(recipe.scale) * brevity * geometric_mean)


def variant_bleu(candidates: Sequence[Tokens], references: Sequence[Tokens], recipe: BleuRecipe) -> float:
    """Corpus BLEU as `recipe` builds it (a float; 0.0 wherever the recipe's own BLEU is 0)."""
    if recipe.average == "sentence":
        scores = [_score(sentence_statistics(cand, ref, recipe.max_order, recipe.clip), recipe)
                  for cand, ref in zip(candidates, references, strict=True)]
        return math.fsum(scores) / len(scores) if scores else 0.0
    return _score(corpus_statistics(candidates, references, recipe.max_order, recipe.clip), recipe)
