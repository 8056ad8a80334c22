"""Torch in float64: n-gram keys counted with torch.unique, matched with searchsorted; returns a 0-d tensor.

Verdict: Accepted
"""

import math

import torch


def keys(seq, n, base):
    t = torch.tensor(seq, dtype=torch.int64)
    if t.numel() < n:
        return torch.zeros(0, dtype=torch.int64)
    grams = t.unfold(0, n, 1)  # (len - n + 1, n)
    return (grams * base ** torch.arange(n)).sum(dim=1)


def clipped_matches(cand_keys, ref_keys):
    c_vals, c_counts = torch.unique(cand_keys, return_counts=True)
    r_vals, r_counts = torch.unique(ref_keys, return_counts=True)
    if r_vals.numel() == 0 or c_vals.numel() == 0:
        return 0
    pos = torch.searchsorted(r_vals, c_vals).clamp(max=r_vals.numel() - 1)
    found = r_vals[pos] == c_vals
    return int(torch.minimum(c_counts[found], r_counts[pos[found]]).sum())


def corpus_bleu(candidates, references):
    base = 1 + max([max(s) for s in candidates if s] + [max(s) for s in references if s] + [0])
    matches = torch.zeros(4, dtype=torch.float64)
    totals = torch.zeros(4, dtype=torch.float64)
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            ck = keys(cand, n, base)
            matches[n - 1] += clipped_matches(ck, keys(ref, n, base))
            totals[n - 1] += ck.numel()
    c = float(sum(len(s) for s in candidates))
    r = float(sum(len(s) for s in references))
    if c == 0 or bool((matches == 0).any()):
        return torch.tensor(0.0, dtype=torch.float64)
    geo = torch.exp(torch.log(matches / totals).mean())
    bp = 1.0 if c > r else math.exp(1.0 - r / c)
    return bp * geo  # a 0-d float64 tensor
