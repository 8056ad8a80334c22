"""Starter for `bleu`: fill in the body; see `judge show bleu`."""

import math  # noqa: F401 - NumPy, Torch and the standard library are available
from collections import Counter  # noqa: F401


def corpus_bleu(candidates, references):
    """Corpus BLEU-4 with uniform weights: two lists of N token-id lists -> a float in [0, 1].

    candidates[k] and references[k] are lists of Python ints (token ids); each
    candidate has exactly one reference. Return a Python float (or a 0-d array),
    computed in float64; 0.0 when the candidates are all empty or some order
    n = 1..4 has no clipped match.
    """
    # 1. for n = 1..4 and each pair: count the candidate's n-grams and the reference's;
    #    matches_n += sum over the candidate's n-grams of min(count in candidate, count in reference)
    #    totals_n  += number of n-grams in the candidate
    # 2. c = total candidate length, r = total reference length (over the whole corpus)
    # 3. if c == 0 or some matches_n == 0: return 0.0
    # 4. p_n = matches_n / totals_n;  BP = 1 if c > r else exp(1 - r / c)
    # 5. return BP * exp(sum(log p_n) / 4)
    ...
