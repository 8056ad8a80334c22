"""Extracts n-grams with range(len(tokens) - n), which drops the last n-gram of every sentence.

Verdict: Wrong Answer
Mistake: none
"""

import math
from collections import Counter


def ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n))


def corpus_bleu(candidates, references):
    match = [0] * 4
    total = [0] * 4
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        for n in range(1, 5):
            cand_ng, ref_ng = ngrams(cand, n), ngrams(ref, n)
            match[n - 1] += sum(min(v, ref_ng[g]) for g, v in cand_ng.items())
            total[n - 1] += sum(cand_ng.values())
    if c == 0 or min(match) == 0:
        return 0.0
    log_mean = sum(math.log(m / t) for m, t in zip(match, total)) / 4
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_mean)
