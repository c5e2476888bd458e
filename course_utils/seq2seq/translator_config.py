"""The settings a :class:`~course_utils.seq2seq.translator.Translator` is built from and saved
with, beside its two vocabularies: :class:`TranslatorConfig` (chapters 10-12).

>>> TranslatorConfig(attention="luong", embed_dim=128, units=256, dropout=0.2)  # doctest: +SKIP

A Translator's ``get_config()`` is the flat dict ``{"source_vocab": [...], "target_vocab":
[...], <every field of TranslatorConfig, in order>, "name": ...}``; the stored sidecars in
``weights/reference/`` hold that dict, and ``Translator.from_config`` reads it back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..validate import positive_int

__all__ = ["FIELDS", "FIELD_DEFAULTS", "SUBWORDS", "TranslatorConfig"]

SUBWORDS = "subwords"  # the tokeniser name that uses the Translator's own SentencePiece model


@dataclass(frozen=True)
class TranslatorConfig:
    """A Translator's settings. ``embed_dim`` and ``units``: the width of the embeddings and of
    the GRU state; ``attention``: ``"none"``, ``"bahdanau"`` or ``"luong"`` (``attention_units``
    for Bahdanau's scoring layer, default ``units``); ``dropout`` on embeddings and outputs;
    ``bidirectional`` encoder; ``source_tokenizer``/``target_tokenizer``: a name from
    ``tokens.TOKENIZERS`` or ``"subwords"``, which reads ``subword_model`` (a SentencePiece
    model as text, :meth:`~course_utils.seq2seq.subwords.Subwords.to_text`);
    ``lowercase_source``; ``max_source_len``/``max_target_len``: the most tokens read and
    written per sentence."""

    embed_dim: int = 128
    units: int = 256
    attention: str = "none"
    dropout: float = 0.0
    source_tokenizer: str = "words"
    target_tokenizer: str = "words"
    lowercase_source: bool = True
    max_source_len: int = 30
    max_target_len: int = 30
    bidirectional: bool = False
    attention_units: int | None = None
    subword_model: str | None = None

    def __post_init__(self) -> None:
        if self.subword_model is not None and not self.uses_subwords:
            raise ValueError("subword_model is given but neither tokenizer is 'subwords'; "
                             "set source_tokenizer and/or target_tokenizer to 'subwords', or drop subword_model")
        for name in ("max_source_len", "max_target_len"):
            positive_int(name, getattr(self, name))
        # stored as bools, whatever truthy value was passed (the saved config is JSON)
        object.__setattr__(self, "lowercase_source", bool(self.lowercase_source))
        object.__setattr__(self, "bidirectional", bool(self.bidirectional))

    @property
    def uses_subwords(self) -> bool:
        """Whether either side reads the subword model."""
        return SUBWORDS in (self.source_tokenizer, self.target_tokenizer)

    def to_dict(self) -> dict[str, Any]:
        """The fields in order, as ``get_config`` saves them."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


FIELDS: tuple[str, ...] = ("source_vocab", "target_vocab", *(f.name for f in dataclasses.fields(TranslatorConfig)))
"""What a Translator is built from and saved with: its vocabularies, then every setting."""
FIELD_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(TranslatorConfig)}
"""The default of every setting (the vocabularies have none)."""
