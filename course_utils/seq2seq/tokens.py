"""Tokenisers and vocabularies for the translation chapters (10-12).

Pure Python, no TensorFlow: a tokeniser turns a string into a list of token strings,
a vocabulary maps tokens to integer ids. Four ids are reserved in every vocabulary:

==  ===========  =====================================================
id  token        meaning
==  ===========  =====================================================
0   ``""``       padding (masked everywhere)
1   ``[UNK]``    a token not in the vocabulary
2   ``[START]``  first input of the decoder (teacher forcing, decoding)
3   ``[END]``    the decoder says "the sentence is finished"
==  ===========  =====================================================

Tokenisers are referred to by name (``"words"``, ``"en_number_words"``,
``"de_number_morphemes"``), so a saved model stores a name, not code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from ..validate import ids_in_range, int_in_range, non_empty_vocab, positive_int, string_lists

# The one source of the special tokens and their ids: every vocabulary starts with SPECIALS,
# so a special token's id is its position here.
SPECIALS = ["", "[UNK]", "[START]", "[END]"]
PAD, UNK, START, END = (SPECIALS.index(t) for t in ("", "[UNK]", "[START]", "[END]"))

_WORD = re.compile(r"\w+(?:'\w+)?|[^\w\s]", re.UNICODE)

# German number words are compounds; these morphemes (longest match first) cut them
# into pieces that line up with English words: einundzwanzig -> ein | und | zwanzig.
DE_NUMBER_MORPHEMES = sorted(
    ["null", "eins", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sech", "sieben", "sieb",
     "acht", "neun", "zehn", "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig",
     "sechzig", "siebzig", "achtzig", "neunzig", "und", "hundert", "tausend"],
    key=len, reverse=True)


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"a tokeniser takes one string, got {type(text).__name__}; "
                        "for a list of sentences use [tokenize(s) for s in sentences]")
    return text


def _check_tokens(tokens: Sequence[str]) -> Sequence[str]:
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise TypeError(f"a detokeniser takes a list of token strings, got {type(tokens).__name__}; "
                        "tokenise the text first, or decode ids with decode_ids(ids, vocab)")
    bad = next((t for t in tokens if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"tokens must be strings, found {type(bad).__name__} {bad!r}; "
                        "turn ids into tokens with decode_ids(ids, vocab) first")
    return tokens


def tokenize_words(text: str) -> list[str]:
    """Words and punctuation marks, case kept: ``"I'm here."`` -> ``["I'm", "here", "."]``."""
    return _WORD.findall(_check_text(text))


def detokenize_words(tokens: Sequence[str]) -> str:
    """Join word tokens with spaces, without a space before ``. , ! ? : ;``."""
    text = " ".join(_check_tokens(tokens))
    return re.sub(r" ([.,!?:;)])", r"\1", text).replace("( ", "(")


def tokenize_en_number_words(text: str) -> list[str]:
    """English number words, commas and hyphens dropped: ``"twenty-one"`` -> ``["twenty", "one"]``."""
    return re.findall(r"[a-z]+", _check_text(text).lower())


def detokenize_en_number_words(tokens: Sequence[str]) -> str:
    """Join number words with spaces."""
    return " ".join(_check_tokens(tokens))


def tokenize_de_number_morphemes(text: str) -> list[str]:
    """Cut a German number word into known morphemes, longest match first:
    ``"einundzwanzig"`` -> ``["ein", "und", "zwanzig"]``. Unknown stretches become
    single characters, so every input has a tokenisation."""
    text, out, i = _check_text(text).lower().strip(), [], 0
    while i < len(text):
        for m in DE_NUMBER_MORPHEMES:
            if text.startswith(m, i):
                out.append(m)
                i += len(m)
                break
        else:
            if not text[i].isspace():
                out.append(text[i])
            i += 1
    return out


def detokenize_de_number_morphemes(tokens: Sequence[str]) -> str:
    """Glue morphemes back into one word."""
    return "".join(_check_tokens(tokens))


TOKENIZERS: dict[str, tuple[Callable[[str], list[str]], Callable[[Sequence[str]], str]]] = {
    "words": (tokenize_words, detokenize_words),
    "en_number_words": (tokenize_en_number_words, detokenize_en_number_words),
    "de_number_morphemes": (tokenize_de_number_morphemes, detokenize_de_number_morphemes),
}


def get_tokenizer(name: str) -> tuple[Callable[[str], list[str]], Callable[[Sequence[str]], str]]:
    """``(tokenize, detokenize)`` for a tokeniser name (one of ``TOKENIZERS``)."""
    if not isinstance(name, str) or name not in TOKENIZERS:
        raise ValueError(f"unknown tokenizer {name!r}; choose one of {sorted(TOKENIZERS)}")
    return TOKENIZERS[name]


def build_vocabulary(token_lists: Sequence[Sequence[str]], max_size: int | None = None,
                     min_count: int = 1, lowercase: bool = False) -> list[str]:
    """Vocabulary from training token lists: the 4 special tokens, then tokens by
    descending frequency (ties alphabetically, so the result is deterministic).

    ``max_size`` counts the special tokens; ``min_count`` drops rarer tokens.
    """
    if isinstance(token_lists, str) or not isinstance(token_lists, Sequence):
        raise TypeError("build_vocabulary() needs a list of token lists, e.g. [tokenize_words(s) for s in sentences]")
    string_lists("token_lists", token_lists, "tokens", "tokenise each sentence first: [tokenize_words(s) for s in sentences]")
    int_in_range("max_size", max_size, len(SPECIALS) + 1, meaning="it includes the special tokens", allow_none=True,
                 numpy_ints=False)
    positive_int("min_count", min_count)
    counts = Counter(t.lower() if lowercase else t for tokens in token_lists for t in tokens)
    for s in SPECIALS:
        counts.pop(s, None)
    ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    vocab = SPECIALS + ranked
    return vocab[:max_size] if max_size else vocab


def encode(token_lists: Sequence[Sequence[str]], vocab: Sequence[str], max_len: int | None = None,
           add_start: bool = False, add_end: bool = False, lowercase: bool = False) -> np.ndarray:
    """Token lists -> int32 id matrix of shape (batch, T), padded with 0 at the end.

    Unknown tokens get id 1. ``max_len`` truncates (after adding [START]/[END]; the
    [END] token is kept as the last id when a row is cut). T is the longest row.
    """
    if isinstance(token_lists, str):
        raise TypeError("encode() needs a list of token lists, not one string")
    string_lists("token_lists", token_lists, "tokens", "tokenise each sentence first: [tokenize_words(s) for s in sentences]")
    if not token_lists:
        raise ValueError("encode() got no token lists; pass at least one sentence")
    non_empty_vocab("vocab", vocab, SPECIALS, "build it with build_vocabulary(token_lists)")
    if max_len is not None:
        positive_int("max_len", max_len, "the most ids per row, [START] and [END] included")
        if max_len <= int(add_start) + int(add_end):
            raise ValueError(f"max_len={max_len} leaves no room for a token next to [START]/[END]; "
                             f"use max_len >= {int(add_start) + int(add_end) + 1}")
    index = {t: i for i, t in enumerate(vocab)}
    rows = []
    for tokens in token_lists:
        ids = [index.get(t.lower() if lowercase else t, UNK) for t in tokens]
        if max_len is not None:
            ids = ids[: max_len - int(add_start) - int(add_end)]
        rows.append(([START] if add_start else []) + ids + ([END] if add_end else []))
    width = max([len(r) for r in rows] + [1])
    out = np.zeros((len(rows), width), dtype="int32")
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def decode_ids(ids: Sequence[int], vocab: Sequence[str]) -> list[str]:
    """Ids (T,) -> tokens, stopping at the first [END] and skipping padding and [START].
    Every id must lie in ``[0, len(vocab))``."""
    non_empty_vocab("vocab", vocab, SPECIALS, "decode with the vocabulary the ids were made with")
    arr = ids_in_range("ids", ids, len(vocab), "decode with the vocabulary the ids were made with "
                       "(e.g. model.target_vocab, not model.source_vocab)")
    if arr.ndim != 1:
        raise ValueError(f"decode_ids() decodes one sentence, ids of shape (T,), got {arr.shape}; "
                         "loop over the rows: [decode_ids(row, vocab) for row in ids]")
    out = []
    for i in ids:
        i = int(i)
        if i == END:
            break
        if i in (PAD, START):
            continue
        out.append(vocab[i])
    return out
