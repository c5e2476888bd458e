"""Which data each reference model's choices were made on: its selection history.

Every choice that shaped a reference model (epochs, recipe, learning rate, budget, which variant
ships) is listed with the split it was judged on. A choice judged on ``"test"`` makes that test
split a *development* test for the model: its test figures were seen before the choice was made,
so they are not a sealed estimate. Each sidecar stores its model's list under ``"selection"``
(written by :func:`course_kit.reference.registry.store`); ``tests/test_reference.py`` checks that
the stored lists equal these. The probes themselves are in ``docs/HISTORY.md``.
"""

from __future__ import annotations

from course_utils.references import NAMES

__all__ = ["SPLITS", "selection_history"]

SPLITS = ("train", "validation", "test", "none", "check")
"""What a choice was judged on; ``"none"``: set by budget or by hand, judged on no data;
``"check"``: not a choice but a reproducibility check (a ``within()`` band: the stored run's own
figure, with the spread between CPUs as tolerance), which shapes no model and no claim."""

_BASE_EPOCHS = {"choice": "at most 30 epochs (the first bases trained 12)", "split": "validation",
                "how": "first raised to 30 after the fine-tuned models' test BLEU was read (docs/HISTORY.md); re-checked "
                       "on validation alone: the epoch kept has the best validation BLEU (20 of 30 with subwords, 14 "
                       "of 30 with words) and no later epoch beat it (10 and 16 more epochs). The learning rate is "
                       "constant, so an epoch's weights do not depend on the cap: any cap from 20 (14) on, or "
                       "'stop after 10 epochs without a new best validation BLEU', keeps the same weights"}
_KEPT_EPOCH = {"choice": "the epoch kept", "split": "validation", "how": "highest validation BLEU (keep_best_bleu)"}
_TRANSLATOR = (_BASE_EPOCHS, _KEPT_EPOCH)
_TUNED = (
    {"choice": "epochs, batch, dropout, learning rate of the fine-tuning", "split": "validation",
     "how": "probes judged on validation BLEU (10, 20, 40 epochs; batch 32; dropout 0.4; 2e-3)"},
    {"choice": "name examples: 3,000 vocatives and 100 substitutions per name pair", "split": "validation",
     "how": "first chosen on test BLEU and the test name-copy rate; re-derived on validation "
            "(python -m course_kit.reference.probes name-examples, results/probes/name_examples.json): one recipe "
            "serves both models and 3,000/100 has the highest validation BLEU averaged over them (27.36, against "
            "26.54 for 1,500/40 and 25.96 for 300/20) and copies the most validation names with subwords (78%); "
            "with words alone the three are within 0.25 validation BLEU and all copy every validation name"},
)
_COPY_HEAD = {"choice": "no copy head (pointer-generator)", "split": "validation",
              "how": "first rejected on the test name-copy rate; re-judged on validation (python -m "
                     "course_kit.reference.probes copy-head, results/probes/copy_head.json): the head written again "
                     "and fine-tuned with this recipe in three variants, validation BLEU of the epoch kept and share of "
                     "40 validation names copied: free gate 30.90 and 84%, gate taught where the piece occurs in the "
                     "source 30.52 and 75%, taught where it has the same neighbour 29.96 and 54%, against 31.02 and 78% "
                     "for the released model without a head (the variants trained on a 2-core Intel Xeon, the released "
                     "model on an AMD EPYC). Rule fixed before the runs: a variant replaces it only if better on both; "
                     "none is, so the simpler model stays"}
_COPY_HEAD_WORDS = {"choice": "no copy head (pointer-generator)", "split": "none",
                    "how": "never tried on the word-level model: it copies every validation name already, by [UNK] "
                           "replacement (results/probes/name_examples.json), so a head cannot raise its copy rate"}
_CHAR_RATE = {"choice": "starting learning rate (4e-3 for the LSTM, 2e-3 for the others)", "split": "validation",
              "how": "first chosen by 3-minute probes judged on test perplexity; re-derived on validation "
                     "(python -m course_kit.reference.probes char-rates, results/probes/char_rates.json: each layer "
                     "at a constant 2e-3 and 4e-3 for 3 minutes on 2 CPU cores, validation perplexity on the curve's "
                     "slice): SimpleRNN 4.515 against 6.063, LSTM 7.104 against 5.603, GRU 5.608 against 6.921, the "
                     "same rates. The GPU tiers take these rates; they were not probed on a GPU"}
_CHAR_BUDGET = {"choice": "training budget of 15 minutes on 2 CPU cores", "split": "none",
                "how": "set by the time a maintainer can spend; the curve is measured at fixed seconds"}
_GPU_BUDGET = {"choice": "training budget of 1.5 minutes on one GPU", "split": "none",
               "how": "set by hand, about the CPU tier's cost on a lent GPU"}
_GPU_SHORT_BUDGET = {"choice": "training budget of 30 s on one GPU", "split": "validation",
                     "how": "where the 1.5-minute LSTM and GRU reached their lowest validation perplexity"}
_LSTM_256 = {"choice": "256 units for the LSTM", "split": "none",
             "how": "matched to the SimpleRNN(512) by arithmetic per step and parameters, by formula"}


def selection_history(name: str) -> list[dict[str, str]]:
    """The choices behind reference model ``name``, each ``{"choice", "split", "how"}``."""
    if name not in NAMES:
        raise ValueError(f"unknown reference model {name!r}; choose one of {', '.join(NAMES)}")
    if name in ("translator", "translator_words"):
        return [dict(c) for c in _TRANSLATOR]
    if name in ("translator_tuned", "translator_words_tuned"):
        copy_head = _COPY_HEAD if name == "translator_tuned" else _COPY_HEAD_WORDS
        return [dict(c) for c in (*_TUNED, copy_head, _KEPT_EPOCH)]
    budget = (_GPU_SHORT_BUDGET if "gpu_short" in name else _GPU_BUDGET if "gpu" in name else _CHAR_BUDGET)
    extra = [_LSTM_256] if name == "shakespeare_lstm_256" else []
    return [dict(c) for c in (_CHAR_RATE, budget, *extra)]
