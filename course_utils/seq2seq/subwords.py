"""Subword units with SentencePiece (chapters 10-12): a name the corpus never saw still has
a spelling.

A word vocabulary maps every unseen word to ``[UNK]``, so "My name is John." reaches the
encoder as "my name is [UNK] ." and no decoder can write "John" back. A subword model cuts
text into pieces learnt from the training split, frequent words whole and rare ones into
smaller pieces, down to single characters:

    "Ich heiße Brittany."  ->  ["▁I", "ch", "▁heiße", "▁B", "ri", "t", "t", "an", "y", "."]

(``▁`` marks the start of a word). One *joint* model is trained on both languages, so a name
is cut into the same pieces on both sides and the decoder only has to copy them.

The model is SentencePiece's unigram model (Kudo, 2018), trained in memory with fixed seeds;
it is kept as the bytes of its protobuf, which a :class:`~course_utils.seq2seq.translator.Translator`
stores inside its ``.keras`` file as base64 text (no pickle).

>>> model = train_subwords(["Ich heiße Anna.", "My name is Anna."] * 50, vocab_size=40)
>>> pieces = Subwords(model).tokenize("Ich heiße Anna.")
>>> Subwords(model).detokenize(pieces)
'Ich heiße Anna.'
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Sequence

from ..validate import int_in_range
from .tokens import SPECIALS

__all__ = ["WORD_START", "Subwords", "train_subwords"]

WORD_START = "\u2581"  # "▁", SentencePiece's mark for "a word starts here"


def train_subwords(texts: Sequence[str], vocab_size: int = 1000, seed: int = 1234) -> bytes:
    """Train a SentencePiece unigram model on ``texts`` (training split only!) and return the
    model's bytes. ``vocab_size`` counts every piece, single characters included; for a small
    corpus SentencePiece may stop below it. Every character of ``texts`` gets a piece
    (coverage 1.0), text is not normalised (so "ß" and "é" stay as they are), and the same
    texts and seed give the same bytes."""
    import sentencepiece as spm

    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TypeError(f"texts must be a list of sentences, got {type(texts).__name__}; "
                        "e.g. [en for en, _ in pairs] + [de for _, de in pairs]")
    bad = next((t for t in texts if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"texts must hold strings only, found {type(bad).__name__} {bad!r:.40}")
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise ValueError("train_subwords() needs at least one non-blank sentence")
    int_in_range("vocab_size", vocab_size, 8, meaning="the number of pieces, characters included", numpy_ints=False)
    spm.set_random_generator_seed(seed)
    out = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_writer=out, model_type="unigram", vocab_size=vocab_size,
            character_coverage=1.0, normalization_rule_name="identity", hard_vocab_limit=False,
            unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, num_threads=1, shuffle_input_sentence=False, minloglevel=2)
    except RuntimeError as exc:
        raise ValueError(f"SentencePiece could not train on these {len(texts)} sentences: {exc}. "
                         "Pass more text or a smaller vocab_size.") from exc
    return out.getvalue()


class Subwords:
    """A trained subword model: ``tokenize(text) -> pieces`` and ``detokenize(pieces) -> text``.

    model: the bytes from :func:`train_subwords`, or the same as base64 text (``to_text()``)."""

    def __init__(self, model: bytes | str) -> None:
        import sentencepiece as spm

        if isinstance(model, str):
            try:
                model = base64.b64decode(model.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError) as exc:
                raise ValueError("model text is not base64; pass Subwords.to_text()'s output or train_subwords()'s bytes") from exc
        if not isinstance(model, (bytes, bytearray)) or not model:
            raise TypeError(f"Subwords() takes the bytes from train_subwords() (or their base64 text), got {type(model).__name__}")
        self.model = bytes(model)
        self._sp = spm.SentencePieceProcessor()
        try:
            self._sp.LoadFromSerializedProto(self.model)
        except (RuntimeError, OSError) as exc:
            raise ValueError(f"these {len(self.model)} bytes are not a SentencePiece model; train one with train_subwords()") from exc

    def to_text(self) -> str:
        """The model as base64 text: what a Translator's config stores."""
        return base64.b64encode(self.model).decode("ascii")

    def __len__(self) -> int:
        return int(self._sp.GetPieceSize())

    def pieces(self) -> list[str]:
        """Every piece of the model, in id order (id 0 is SentencePiece's own ``<unk>``)."""
        return [self._sp.IdToPiece(i) for i in range(len(self))]

    def tokenize(self, text: str) -> list[str]:
        """One string -> its pieces, e.g. ``"Ich heiße John."`` -> ``["▁I", "ch", "▁heiße", "▁", "J", "o", "h", "n", "."]``."""
        if not isinstance(text, str):
            raise TypeError(f"tokenize() takes one string, got {type(text).__name__}; "
                            "for a list of sentences use [subwords.tokenize(s) for s in sentences]")
        return list(self._sp.EncodeAsPieces(text))

    def detokenize(self, pieces: Sequence[str]) -> str:
        """Pieces -> text: join them and turn each ``▁`` into a space. Special tokens such as
        ``[UNK]`` are kept as words."""
        if isinstance(pieces, str) or not isinstance(pieces, (list, tuple)):
            raise TypeError(f"detokenize() takes a list of pieces, got {type(pieces).__name__}")
        bad = next((p for p in pieces if not isinstance(p, str)), None)
        if bad is not None:
            raise TypeError(f"pieces must be strings, found {type(bad).__name__} {bad!r}")
        return "".join(WORD_START + p if p in SPECIALS else p for p in pieces).replace(WORD_START, " ").strip()
