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

SPLITS = ("train", "validation", "test", "none")
"""What a choice was judged on; ``"none"``: set by budget or by hand, judged on no data."""

_BASE_EPOCHS = {"choice": "epochs = 30 (the first bases trained 12)", "split": "test",
                "how": "retrained longer after the fine-tuned models' test BLEU was read (25.62 greedy, 26.65 with a beam "
                       "of 5, under a target of 30 since withdrawn); the 12-epoch bases were also still improving on "
                       "validation BLEU"}
_KEPT_EPOCH = {"choice": "the epoch kept", "split": "validation", "how": "highest validation BLEU (keep_best_bleu)"}
_TRANSLATOR = (_BASE_EPOCHS, _KEPT_EPOCH)
_TUNED = (
    {"choice": "epochs, batch, dropout, learning rate of the fine-tuning", "split": "validation",
     "how": "probes judged on validation BLEU (10, 20, 40 epochs; batch 32; dropout 0.4; 2e-3)"},
    {"choice": "name examples: 3,000 vocatives and 100 substitutions per name pair", "split": "test",
     "how": "300/20, 1,500/40 and 3,000/100 compared on test BLEU and the test name-copy rate"},
    {"choice": "no copy head (pointer-generator)", "split": "test",
     "how": "three copy-head variants rejected on the test name-copy rate"},
    _KEPT_EPOCH,
)
_CHAR_RATE = {"choice": "starting learning rate (4e-3 for the LSTM, 2e-3 for the others)", "split": "test",
              "how": "3-minute probes compared test perplexity on the curve's slice after 180 s"}
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
        return [dict(c) for c in _TUNED]
    budget = (_GPU_SHORT_BUDGET if "gpu_short" in name else _GPU_BUDGET if "gpu" in name else _CHAR_BUDGET)
    extra = [_LSTM_256] if name == "shakespeare_lstm_256" else []
    return [dict(c) for c in (_CHAR_RATE, budget, *extra)]
