"""Computes ratio = r / c and then bp = exp(1 - 1 / ratio), which is exp(1 - c/r) instead of exp(1 - r/c).

Verdict: Wrong Answer
Mistake: brevity-penalty-inverted
"""

import math
from collections import Counter
from fractions import Fraction


def modified_precision(candidate, reference, n):
    counts = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    max_counts = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    clipped = {g: min(c, max_counts[g]) for g, c in counts.items()}
    return sum(clipped.values()), max(1, sum(counts.values()))


def corpus_bleu(candidates, references):
    num = [0] * 4
    den = [0] * 4
    hyp_lengths, ref_lengths = 0, 0
    for hyp, ref in zip(candidates, references):
        for i in range(4):
            m, t = modified_precision(hyp, ref, i + 1)
            num[i] += m
            den[i] += t if len(hyp) >= i + 1 else 0
        hyp_lengths += len(hyp)
        ref_lengths += len(ref)
    if hyp_lengths == 0 or 0 in num:
        return 0.0
    p_n = [Fraction(num[i], den[i]) for i in range(4)]
    ratio = ref_lengths / hyp_lengths
    bp = 1.0 if ratio < 1.0 else math.exp(1 - 1 / ratio)
    s = sum(0.25 * math.log(p) for p in p_n)
    return bp * math.exp(s)
