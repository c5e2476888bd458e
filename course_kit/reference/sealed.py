"""The sealed test: translation pairs that no choice of the course has looked at.

The ``all`` corpus (auf-deutsch and Ding, split together by hash) trains the base translators on
its *training* split; every choice about them is made on auf-deutsch's validation split, and
auf-deutsch's test split has been read while recipes were chosen, so it is a *development* test
(``selection.py``). The ``all`` corpus's **test** split has been read by nothing: no training or
selection code, no chapter, no probe in ``docs/HISTORY.md`` (checked when this module was
written, and held so by ``tests/test_reference.py``). The sealed test is that split's pairs with
at most ``MAX_WORDS`` words a side (as the chapters restrict length), less any pair that shares a
sentence with auf-deutsch: 1,426 of Ding's dictionary example sentences.

It is a different domain from the development test (a richer vocabulary than auf-deutsch's
beginners' sentences, and out of the fine-tuned models' domain), so its figures are lower for a
reason that has nothing to do with selection. To tell the two apart, the same figures are also
taken on the Ding pairs of the ``all`` corpus's *validation* split, which no choice read either:
if selection had flattered the development test, the sealed figures would fall below these.

``python -m course_kit.reference --sealed`` evaluates every released translator once and
stores the figures in its sidecar under ``"sealed_test"`` (and ``"ding_validation"``); a model
that has them is not evaluated again unless ``--sealed-again WHY`` says why.
"""

from __future__ import annotations

import time
from typing import Any

from course_utils.data import load_translation, normalise
from course_utils.references import TRANSLATORS, load, sidecar
from course_utils.references.catalog import paths
from course_utils.references.store import write_sidecar

from ..machine import describe_machine

__all__ = ["MAX_WORDS", "ding_pairs", "evaluate_sealed", "seal"]

MAX_WORDS = 10


def ding_pairs(split: str) -> list[tuple[str, str]]:
    """The ``all`` corpus's ``split`` ("test": the sealed test; "validation") with at most
    :data:`MAX_WORDS` words a side, less every pair sharing a normalised sentence with any
    auf-deutsch split: Ding's pairs only. Only this module and the evaluation below call it."""
    if split not in ("test", "validation"):
        raise ValueError(f"split must be 'test' (the sealed test) or 'validation', not {split!r}")
    small = load_translation("auf-deutsch")
    auf = {normalise(s) for part in (small.train, small.validation, small.test) for pair in part for s in pair}
    pairs = getattr(load_translation("all", max_words=MAX_WORDS), split)
    return [p for p in pairs if normalise(p[0]) not in auf and normalise(p[1]) not in auf]


def _scores(model: Any, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    from course_utils.seq2seq.evaluation import evaluate_translations

    en, de = [e for e, _ in pairs], [d for _, d in pairs]
    out: dict[str, Any] = {"pairs": len(pairs)}
    for label, kwargs in [("greedy", {}), ("beam5", {"method": "beam", "beam_width": 5})]:
        scores = evaluate_translations(model.translate(en, **kwargs), de)
        out.update({f"{label}_{k}": round(v, 2) for k, v in scores.items()})
    return out


def _pair_sets() -> dict[str, list[tuple[str, str]]]:
    """The two sets every translator is scored on, by the sidecar key their figures go under."""
    return {"sealed_test": ding_pairs("test"), "ding_validation": ding_pairs("validation")}


def evaluate_sealed(name: str, sets: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, Any]:
    """BLEU, chrF and exact match (greedy and beam 5) of the stored translator ``name`` on the
    sealed test and on Ding's validation pairs: ``{"sealed_test": {...}, "ding_validation": {...}}``.
    ``sets``: the pairs, when the caller has loaded them already (:func:`seal` does, once)."""
    if name not in TRANSLATORS:
        raise ValueError(f"the sealed test is for translators ({', '.join(TRANSLATORS)}), not {name!r}")
    model = load(name)
    return {key: _scores(model, pairs) for key, pairs in (sets or _pair_sets()).items()}


def seal(names: list[str] | None = None, again_why: str | None = None) -> list[dict[str, Any]]:
    """Evaluate each translator in ``names`` (default: all) on the sealed test once and store the
    figures in its sidecar, with the date and machine. A sidecar that already has them is refused
    unless ``again_why`` says why it must be read again (the reason is kept)."""
    names = list(names or TRANSLATORS)
    done = [n for n in names if "sealed_test" in sidecar(n)]
    if done and not (again_why or "").strip():
        raise ValueError(f"{', '.join(done)} already read the sealed test; it is read once. If it must be read "
                         "again (a retrained model), say why: --sealed-again 'retrained with ...'")
    metas, sets = [], _pair_sets()
    for name in names:
        meta = sidecar(name)
        figures = evaluate_sealed(name, sets)
        history = meta.get("sealed_test", {}).get("history", [])
        if "sealed_test" in meta:
            history = history + [{"date": meta["sealed_test"]["date"], "why_again": again_why}]
        meta["sealed_test"] = {**figures["sealed_test"], "date": time.strftime("%Y-%m-%d"),
                               "machine": describe_machine()["cpu"], **({"history": history} if history else {})}
        meta["ding_validation"] = figures["ding_validation"]
        write_sidecar(paths(name)[1], meta)
        metas.append(meta)
    return metas
