"""Counts a candidate n-gram as matched whenever it appears anywhere in the reference's n-gram list, so repeated n-grams are never clipped.

Verdict: Wrong Answer
Mistake: no-clipping
"""

import math


def get_ngrams(sentence, n):
    return [tuple(sentence[i:i + n]) for i in range(len(sentence) - n + 1)]


def corpus_bleu(candidates, references):
    hyp_len = 0
    ref_len = 0
    p_num = [0, 0, 0, 0]
    p_den = [0, 0, 0, 0]
    for hyp, ref in zip(candidates, references):
        hyp_len += len(hyp)
        ref_len += len(ref)
        for n in range(1, 5):
            hyp_ngrams = get_ngrams(hyp, n)
            ref_ngrams = get_ngrams(ref, n)
            p_num[n - 1] += sum(1 for g in hyp_ngrams if g in ref_ngrams)
            p_den[n - 1] += len(hyp_ngrams)
    if hyp_len == 0 or min(p_num) == 0:
        return 0.0
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return bp * math.exp(sum(math.log(p_num[i] / p_den[i]) for i in range(4)) / 4)
