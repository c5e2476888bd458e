"""Names in translation (chapters 10-12): measure whether a translator copies a name it has
never seen, and teach it to by substituting names in the training pairs.

A first name is not translated: "My name is Brittany." is "Ich heiße Brittany.". A model
with subword units (:mod:`~course_utils.seq2seq.subwords`) *can* write any name, piece by
piece, but it only learns to copy if its training pairs show copying often enough. A small
corpus has a handful of pairs with a name on both sides, so :func:`substitute_names` makes
more of them: each such pair again with other names (from a list of names the evaluation
never uses). :func:`name_copy_rate` then measures copying on names the corpus never saw.

:class:`PassThroughNames` does not teach copying: it wraps a trained translator and, before
translating, replaces each capitalised word the model never read with a placeholder name that
the model has seen copied often ("Anna"), then puts the word back into the output. This is the
placeholder (entity masking) step of many production MT systems, and the subword cousin of
``[UNK]`` replacement: it decides by a rule what to copy, so the network only has to copy
a name it knows well, and it works only as well as the network copies that name.

>>> substitute_names([("I am Anna.", "Ich bin Anna.")], known={"anna"}, replacements=["Lena", "Ida"], copies=2)
[('I am Lena.', 'Ich bin Lena.'), ('I am Ida.', 'Ich bin Ida.')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..validate import positive_int

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MONTHS", "NAME_PATTERNS", "PLACEHOLDERS", "PassThroughNames", "add_vocatives", "name_copy_rate", "names_in_both",
           "source_words", "substitute_names"]

_WORD = re.compile(r"\w+", re.UNICODE)

# (English, German) sentence patterns for the name-copy test; {name} is replaced.
NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("My name is {name}.", "Ich heiße {name}."),
    ("{name} is my friend.", "{name} ist mein Freund."),
    ("Where is {name}?", "Wo ist {name}?"),
)


# Months that lists of first names also hold ("April", "May", "June", "August"), in both
# languages: "born on the fifteenth of April" is a date, and must not become "... of Lena".
MONTHS: frozenset[str] = frozenset(
    "january february march april may june july august september october november december "
    "januar februar märz mai juni juli oktober dezember".split())

# The first names that the course's translation pairs hold on both sides most often (names_in_both
# on the training splits of auf-deutsch and of auf-deutsch with Ding: Anna 7 and 8 times, then Tom
# and Lisa): chosen from training data, not from the name test.
PLACEHOLDERS: tuple[str, ...] = ("Anna", "Tom", "Lisa")


def _check_names(name: str, names: Any) -> list[str]:
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise TypeError(f"{name} must be a non-empty list of names such as ['Lena', 'Ida'], got {type(names).__name__}")
    bad = next((n for n in names if not isinstance(n, str) or not _WORD.fullmatch(n)), None)
    if bad is not None:
        raise ValueError(f"{name} holds {bad!r}; every name must be one word of letters, e.g. 'Lena'")
    return list(names)


def _lower_case_words(pairs: Sequence[tuple[str, str]]) -> set[str]:
    """Every word written in lower case somewhere in ``pairs``: the corpus's common words."""
    return {w for en, de in pairs for w in _WORD.findall(en + " " + de) if w.islower()}


def names_in_both(pairs: Sequence[tuple[str, str]], known: Iterable[str]) -> list[tuple[int, str]]:
    """``(index of the pair, name)`` for every pair in which a capitalised word that is a known
    name (compared in lower case with ``known``) occurs on both sides, e.g. "I am Anna." /
    "Ich bin Anna.". These are the pairs that show a model how to copy a name. A word that
    also occurs in lower case somewhere in ``pairs`` is a common word, not a name ("In" at the
    start of a sentence, although "in" is in some lists of first names), and is skipped; so is
    a month (:data:`MONTHS`: "April" is a name, but not in "born in April")."""
    known = {k.lower() for k in known}
    lower_words = _lower_case_words(pairs)
    out = []
    for i, (en, de) in enumerate(pairs):
        shared = set(_WORD.findall(en)) & set(_WORD.findall(de))
        out += [(i, w) for w in sorted(shared) if w[:1].isupper() and w.lower() in known
                and w.lower() not in lower_words and w.lower() not in MONTHS]
    return out


def substitute_names(pairs: Sequence[tuple[str, str]], known: Iterable[str], replacements: Sequence[str],
                     copies: int = 5, seed: int = 0) -> list[tuple[str, str]]:
    """New training pairs: every pair of :func:`names_in_both` again ``copies`` times, with the
    name replaced on both sides by a name drawn (without replacement within a pair) from
    ``replacements``. Returns only the new pairs; add them to the training split, never to
    validation or test, and draw ``replacements`` from names the evaluation does not use."""
    replacements = _check_names("replacements", replacements)
    positive_int("copies", copies, "new pairs per pair with a name")
    if copies > len(replacements):
        raise ValueError(f"copies={copies} needs at least that many replacement names, got {len(replacements)}")
    rng = np.random.default_rng(seed)
    out = []
    for i, name in names_in_both(pairs, known):
        en, de = pairs[i]
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        for new in rng.choice(replacements, size=copies, replace=False):
            out.append((pattern.sub(str(new), en), pattern.sub(str(new), de)))
    return out


def name_copy_rate(model: Any, names: Sequence[str], patterns: Sequence[tuple[str, str]] = NAME_PATTERNS,
                   **translate_kwargs: Any) -> pd.DataFrame:
    """Translate every pattern with every name and check that the name comes out unchanged.

    model: anything with ``translate(list[str]) -> list[str]`` (a Translator).
    Returns one row per (pattern, name) with columns ``pattern``, ``name``, ``source``,
    ``output``, ``reference``, ``copied`` (the name occurs as a whole word in the output) and
    ``exact`` (the output equals the reference). The copy rate is ``frame["copied"].mean()``."""
    import pandas as pd

    names = _check_names("names", names)
    if not patterns or any(not (isinstance(p, tuple) and len(p) == 2 and all("{name}" in s for s in p)) for p in patterns):
        raise ValueError("patterns must be (English, German) tuples, each side holding '{name}', "
                         "e.g. ('My name is {name}.', 'Ich heiße {name}.')")
    rows = [{"pattern": en, "name": n, "source": en.format(name=n), "reference": de.format(name=n)}
            for en, de in patterns for n in names]
    outputs = model.translate([r["source"] for r in rows], **translate_kwargs)
    for r, out in zip(rows, outputs):
        r["output"] = out
        r["copied"] = bool(re.search(rf"\b{re.escape(r['name'])}\b", out))
        r["exact"] = out.strip() == r["reference"]
    return pd.DataFrame(rows)[["pattern", "name", "source", "output", "reference", "copied", "exact"]]


def add_vocatives(pairs: Sequence[tuple[str, str]], names: Sequence[str], n: int, seed: int = 0) -> list[tuple[str, str]]:
    """New training pairs that address someone by name, the same way in both languages, at
    the end or (every other pair) at the start of a sentence:
    ("Where is the station?", "Wo ist der Bahnhof?") with "Lena" gives
    ("Where is the station, Lena?", "Wo ist der Bahnhof, Lena?") or
    ("Lena, where is the station?", "Lena, wo ist der Bahnhof?").
    ``n`` pairs, drawn with their names at random from ``pairs`` whose both sides end in
    ``.``, ``?`` or ``!``. At the start, a sentence's first word is lower-cased when the corpus
    also writes it in lower case ("Where" -> "where", "Ich" -> "ich"); a German noun such as
    "Bahnhof", which the corpus only writes with a capital, keeps it, and so does "I".
    Unlike :func:`substitute_names`, these put names into every kind of sentence the corpus
    has, not only into the few that already held a name."""
    names = _check_names("names", names)
    positive_int("n", n, "the number of new pairs")
    ends = [(en, de) for en, de in pairs if en[-1:] in ".?!" and de[-1:] in ".?!"]
    if not ends:
        raise ValueError("no pair ends in '.', '?' or '!' on both sides; there is nowhere to put a name")
    lower_words = _lower_case_words(pairs)

    def decapitalise(text: str) -> str:
        first = _WORD.match(text)
        if first and first.group() != "I" and first.group().lower() in lower_words:
            return text[0].lower() + text[1:]
        return text

    rng = np.random.default_rng(seed)
    out = []
    for k, (i, name) in enumerate(zip(rng.integers(0, len(ends), size=n), rng.choice(names, size=n))):
        en, de = ends[i]
        if k % 2:
            out.append((f"{name}, {decapitalise(en)}", f"{name}, {decapitalise(de)}"))
        else:
            out.append((f"{en[:-1]}, {name}{en[-1]}", f"{de[:-1]}, {name}{de[-1]}"))
    return out


def source_words(pairs: Sequence[tuple[str, str]]) -> set[str]:
    """Every word of the source (first) sides of ``pairs``, in lower case: the words a
    translator trained on them has read. ``source_words([("I am Anna.", "Ich bin Anna.")])``
    is ``{"i", "am", "anna"}``."""
    if isinstance(pairs, str) or not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
        raise TypeError("source_words() takes (source, target) pairs of strings, e.g. pairs.train")
    return {w.lower() for en, _ in pairs for w in _WORD.findall(en)}


class PassThroughNames:
    """A translator that passes capitalised words its model never read straight through.

    ``PassThroughNames(model, known_words).translate(["Where is Barrett?"])``: "Barrett" is
    capitalised and not in ``known_words`` (the lower-cased source words of the model's training
    pairs, :func:`source_words`), so the model translates "Where is Anna?" and "Anna" in its output
    becomes "Barrett" again (also inside the genitive "Annas"). A word the model did read, at
    any case ("Where", "Berlin"), is left to the model. Each unseen word of a sentence gets its
    own placeholder, one not already in the sentence (nor with an s: "Annas"); when they run
    out, the remaining unseen words go to the model unchanged. If the model drops a placeholder,
    its word is lost: the wrapper copies only what the model copies.

    model: anything with ``translate(list[str], **kwargs) -> list[str]`` (a Translator).
    placeholders: first names that the training pairs hold on both sides often, so that the
    model copies them (``names_in_both`` lists such pairs); each must be in ``known_words``.
    The default, :data:`PLACEHOLDERS`, suits the course's corpora.
    """

    def __init__(self, model: Any, known_words: Iterable[str], placeholders: Sequence[str] = PLACEHOLDERS) -> None:
        if not callable(getattr(model, "translate", None)):
            raise TypeError(f"model must have a translate(list[str]) method (a Translator), got {type(model).__name__}")
        if isinstance(known_words, str):
            raise TypeError("known_words must be a collection of words, e.g. source_words(pairs.train), not one string")
        self.known = {w.lower() for w in known_words}
        if not self.known:
            raise ValueError("known_words is empty; pass the source words of the model's training pairs: "
                             "source_words(pairs.train)")
        self.placeholders = _check_names("placeholders", placeholders)
        unread = [p for p in self.placeholders if p.lower() not in self.known]
        if unread:
            raise ValueError(f"placeholder(s) {unread} never occur in the training sources, so the model cannot have "
                             "learnt to copy them; choose names that names_in_both(pairs.train, ...) finds often")
        self.model = model

    def unseen(self, word: str) -> bool:
        """True for a capitalised word whose lower-case form the model never read."""
        return word[:1].isupper() and word.lower() not in self.known

    def mask(self, text: str) -> tuple[str, dict[str, str]]:
        """``(text with each unseen word replaced by a placeholder, {placeholder: word})``."""
        words = set(_WORD.findall(text))
        # a placeholder that the text already holds, alone or with a genitive s, would be put back wrongly
        free = [p for p in self.placeholders if p not in words and p + "s" not in words]
        chosen: dict[str, str] = {}  # word -> placeholder

        def swap(match: re.Match[str]) -> str:
            word = match.group()
            if self.unseen(word) and word not in chosen and free:
                chosen[word] = free.pop(0)
            return chosen.get(word, word)

        masked = _WORD.sub(swap, text)
        return masked, {p: w for w, p in chosen.items()}

    @staticmethod
    def unmask(text: str, mapping: dict[str, str]) -> str:
        """Put each word back where its placeholder stands in ``text`` (a whole word, or before a genitive s)."""
        if not mapping:
            return text
        # one pass over all placeholders, so that a word put back is never read as another placeholder
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")(?=s?\b)")
        return pattern.sub(lambda match: mapping[match.group(1)], text)

    def translate(self, texts: Sequence[str], **translate_kwargs: Any) -> list[str]:
        """Translate ``texts`` with the model (``translate_kwargs`` go to its ``translate``),
        unseen capitalised words passed through."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError("translate() takes a list of strings; wrap one sentence as translate([sentence])")
        masked = [self.mask(t) for t in texts]
        outputs = self.model.translate([m for m, _ in masked], **translate_kwargs)
        return [self.unmask(out, mapping) for out, (_, mapping) in zip(outputs, masked)]
