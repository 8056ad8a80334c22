"""Computes a sentence-level BLEU for every pair and returns their average instead of pooling the counts over the corpus.

Verdict: Wrong Answer
Mistake: sentence-average
"""

import math
from collections import Counter


def sentence_bleu(hyp, ref, max_order=4):
    if not hyp:
        return 0.0
    log_p = 0.0
    for n in range(1, max_order + 1):
        h = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1))
        r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
        match = sum(min(c, r[g]) for g, c in h.items())
        total = sum(h.values())
        if match == 0:
            return 0.0
        log_p += math.log(match / total) / max_order
    bp = math.exp(min(0.0, 1 - len(ref) / len(hyp)))
    return bp * math.exp(log_p)


def corpus_bleu(candidates, references):
    scores = [sentence_bleu(h, r) for h, r in zip(candidates, references)]
    return sum(scores) / len(scores)
