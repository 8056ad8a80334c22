"""Computes BLEU per sentence and returns the mean, instead of pooling the counts over the corpus.

Verdict: Wrong Answer
Mistake: sentence-average
"""

from collections import Counter

import numpy as np


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def sentence_bleu(cand, ref):
    matches = np.zeros(4)
    totals = np.zeros(4)
    for n in range(1, 5):
        cand_counts = ngram_counts(cand, n)
        matches[n - 1] = sum((cand_counts & ngram_counts(ref, n)).values())
        totals[n - 1] = sum(cand_counts.values())
    if len(cand) == 0 or matches.min() == 0:
        return 0.0
    bp = 1.0 if len(cand) > len(ref) else np.exp(1 - len(ref) / len(cand))
    return bp * np.exp(np.mean(np.log(matches / totals)))


def corpus_bleu(candidates, references):
    return float(np.mean([sentence_bleu(c, r) for c, r in zip(candidates, references)]))
