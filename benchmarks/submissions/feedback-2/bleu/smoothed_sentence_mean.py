"""Each sentence was scored on its own with add-one smoothed precisions (m + 1) / (t + 1) and the sentence scores were averaged, instead of pooling the counts over the corpus with no smoothing.

Verdict: Wrong Answer
Mistake: sentence-average+add-one-smoothing
"""

import math
from collections import Counter


def sentence_bleu(cand, ref):
    if len(cand) == 0:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        c_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
        r_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
        clipped = sum(min(k, r_counts[g]) for g, k in c_counts.items())
        total = sum(c_counts.values())
        log_sum += math.log((clipped + 1) / (total + 1))
    bp = 1.0 if len(cand) > len(ref) else math.exp(1 - len(ref) / len(cand))
    return bp * math.exp(log_sum / 4)


def corpus_bleu(candidates, references):
    scores = [sentence_bleu(c, r) for c, r in zip(candidates, references)]
    return sum(scores) / len(scores)
