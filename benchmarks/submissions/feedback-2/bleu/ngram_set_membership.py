"""A candidate n-gram counted as a match whenever it appears anywhere in the reference's set of n-grams, so repeated n-grams are never clipped to the reference count.

Verdict: Wrong Answer
Mistake: no-clipping
"""

import math


def ngrams(tokens, n):
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def corpus_bleu(candidates, references):
    p_numerators = [0, 0, 0, 0]
    p_denominators = [0, 0, 0, 0]
    hyp_lengths = 0
    ref_lengths = 0
    for hyp, ref in zip(candidates, references):
        hyp_lengths += len(hyp)
        ref_lengths += len(ref)
        for n in range(1, 5):
            hyp_grams = ngrams(hyp, n)
            ref_grams = set(ngrams(ref, n))
            p_numerators[n - 1] += sum(1 for g in hyp_grams if g in ref_grams)
            p_denominators[n - 1] += len(hyp_grams)

    if hyp_lengths == 0 or 0 in p_numerators:
        return 0.0
    score = math.fsum(0.25 * math.log(m / t) for m, t in zip(p_numerators, p_denominators))
    bp = 1.0 if hyp_lengths > ref_lengths else math.exp(1 - ref_lengths / hyp_lengths)
    return bp * math.exp(score)
