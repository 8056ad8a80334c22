"""Counts every candidate n-gram found in the reference without clipping and leaves out the brevity penalty.

Verdict: Wrong Answer
Mistake: no-clipping+no-brevity-penalty
"""

import numpy as np


def corpus_bleu(candidates, references):
    log_precisions = []
    for n in range(1, 5):
        hits, count = 0, 0
        for cand, ref in zip(candidates, references):
            ref_set = {tuple(ref[i:i + n]) for i in range(len(ref) - n + 1)}
            for i in range(len(cand) - n + 1):
                count += 1
                if tuple(cand[i:i + n]) in ref_set:
                    hits += 1
        if hits == 0:
            return 0.0
        log_precisions.append(np.log(hits / count))
    return float(np.exp(np.mean(log_precisions)))
