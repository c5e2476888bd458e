"""Language-model metrics: perplexity from cross-entropy, and a character n-gram baseline.

Cross-entropy of a model q on text drawn from p, per character, in nats::

    H(p, q) = -(1/N) * sum_i ln q(c_i | c_<i)

Perplexity is ``exp(H)`` when H is in nats (``2**H`` when in bits): the size of a
uniform choice that would be as surprising as the model is on average.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
import numbers
from collections.abc import Iterable

from ..validate import positive_int

__all__ = ["CharNGram", "bits_per_char", "perplexity", "select_ngram"]


def perplexity(mean_cross_entropy_nats: float) -> float:
    """exp(H) for a mean cross-entropy H in nats per token (e.g. Keras's
    ``SparseCategoricalCrossentropy(from_logits=True)``, which uses natural logs)."""
    h = mean_cross_entropy_nats
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not math.isfinite(h):
        raise ValueError(f"perplexity() needs a finite number (mean cross-entropy in nats), got {h!r}; "
                         "a NaN or infinite loss means training diverged or the logits are broken")
    h = float(h)
    if h < 0:
        raise ValueError(f"a cross-entropy cannot be negative, got {h}; did you pass a log-likelihood? Negate it")
    return math.exp(h)


def bits_per_char(mean_cross_entropy_nats: float) -> float:
    """The same cross-entropy in bits: H / ln 2."""
    perplexity(mean_cross_entropy_nats)  # validates
    return mean_cross_entropy_nats / math.log(2)


class CharNGram:
    """A character n-gram model with add-k smoothing.

    ``q(c | ctx) = (count(ctx, c) + k) / (count(ctx) + k * V)`` where ctx is the previous
    ``n - 1`` characters and V the alphabet size (training characters plus one slot for
    any unseen character). The text start is padded with ``\\x02``. n = 1 is a unigram model.
    """

    UNK = "\x00"
    START = "\x02"

    def __init__(self, n: int = 3, k: float = 0.1) -> None:
        positive_int("n", n, "1 = unigram, 3 = trigram")
        if isinstance(k, bool) or not isinstance(k, (int, float)) or not 0 < k < math.inf:
            raise ValueError(f"k must be a positive finite number (add-k smoothing; k=1 is Laplace), got {k!r}")
        self.n, self.k = n, float(k)
        self.alphabet: set[str] = set()
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.context_totals: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"CharNGram(n={self.n}, k={self.k})"

    @staticmethod
    def _check_text(text: str, what: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"{what} must be a string, got {type(text).__name__}")
        if not text:
            raise ValueError(f"{what} is empty; pass the text itself, e.g. load_shakespeare().train")

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet) + 1  # + the unknown-character slot

    @property
    def stored_counts(self) -> int:
        """How many numbers the fitted model keeps: one count per (context, next character)
        pair seen in training. Contexts never seen cost nothing, and get no information either."""
        return sum(len(next_chars) for next_chars in self.counts.values())

    def _contexts(self, text: str) -> Iterable[tuple[str, str]]:
        padded = self.START * (self.n - 1) + text
        for i, c in enumerate(text):
            yield padded[i: i + self.n - 1], c

    def fit(self, text: str) -> CharNGram:
        """Count every (context, next character) pair in ``text``. Returns self."""
        self._check_text(text, "text")
        self.alphabet = set(text)
        self.counts = defaultdict(Counter)
        for ctx, c in self._contexts(text):
            self.counts[ctx][c] += 1
        self.context_totals = Counter({ctx: sum(cnt.values()) for ctx, cnt in self.counts.items()})
        return self

    def prob(self, context: str, char: str) -> float:
        """q(char | last n-1 characters of context)."""
        if not self.alphabet:
            raise RuntimeError("fit the model first: CharNGram(n, k).fit(train_text)")
        ctx = (self.START * (self.n - 1) + context)[-(self.n - 1):] if self.n > 1 else ""
        c = char if char in self.alphabet else self.UNK
        count = self.counts[ctx][c] if ctx in self.counts else 0
        return (count + self.k) / (self.context_totals.get(ctx, 0) + self.k * self.vocab_size)

    def cross_entropy(self, text: str) -> float:
        """Mean -ln q(c_i | previous n-1 characters) over ``text``, in nats per character."""
        self._check_text(text, "text")
        if not self.alphabet:
            raise RuntimeError("fit the model first: CharNGram(n, k).fit(train_text)")
        V, k = self.vocab_size, self.k
        total = 0.0
        for ctx, c in self._contexts(text):
            counter = self.counts.get(ctx)
            count = counter.get(c, 0) if counter is not None else 0
            total -= math.log((count + k) / (self.context_totals.get(ctx, 0) + k * V))
        return total / len(text)

    def perplexity(self, text: str) -> float:
        """exp(cross-entropy in nats) on ``text``."""
        return perplexity(self.cross_entropy(text))


def select_ngram(train_text: str, validation_text: str, orders: Iterable[int] = (1, 2, 3, 4, 5),
                 ks: Iterable[float] = (0.01, 0.1, 1.0)) -> tuple[CharNGram, list[dict[str, float]]]:
    """Fit a CharNGram for each (n, k) on ``train_text``; keep the one with the lowest
    validation perplexity. Returns (best model, one row per setting)."""
    orders, ks = list(orders), list(ks)
    if not orders or not ks:
        raise ValueError("give at least one order n and one smoothing k")
    rows, best, best_ppl = [], None, math.inf
    for n in orders:
        counts = CharNGram(n, ks[0]).fit(train_text)
        for k in ks:
            model = CharNGram(n, k)
            model.alphabet, model.counts, model.context_totals = counts.alphabet, counts.counts, counts.context_totals
            ppl = model.perplexity(validation_text)
            rows.append({"n": n, "k": k, "validation perplexity": ppl})
            if ppl < best_ppl:
                best, best_ppl = model, ppl
    assert best is not None
    return best, rows
