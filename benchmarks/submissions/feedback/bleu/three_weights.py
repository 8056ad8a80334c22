"""Passes weights=(1/3, 1/3, 1/3), so only the 1-, 2- and 3-gram precisions enter the geometric mean.

Verdict: Wrong Answer
Mistake: orders-one-to-three
"""

import math
from collections import Counter

import torch


def corpus_bleu(candidates, references, weights=(1 / 3, 1 / 3, 1 / 3)):
    matches = torch.zeros(len(weights), dtype=torch.float64)
    possible = torch.zeros(len(weights), dtype=torch.float64)
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        for k in range(len(weights)):
            n = k + 1
            cand_ng = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_ng = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matches[k] += sum(min(cnt, ref_ng[g]) for g, cnt in cand_ng.items())
            possible[k] += max(len(cand) - n + 1, 0)
    if c == 0 or bool((matches == 0).any()):
        return 0.0
    w = torch.tensor(weights, dtype=torch.float64)
    geo_mean = torch.exp((w * torch.log(matches / possible)).sum())
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return float(bp * geo_mean)
