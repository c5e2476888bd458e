"""One name for the kind of recurrent layer: ``cell="simple" | "lstm" | "gru"``.

Every builder in the library and the kit that lets the caller choose the recurrent layer
takes a parameter called ``cell`` with one of the values in :data:`CELLS` (case does not
matter: ``"LSTM"`` is read as ``"lstm"``). Two builders also accept a custom layer
(chapter 14 passes MinGRU): for those ``cell`` is a :data:`CellSpec`, a kind string or a
factory ``units -> layer``, and :func:`make_cell` builds it.

This is a base helper: it imports no topic package, and Keras only inside the functions
that build a layer, so importing it costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:  # typing only: keras is imported where a layer is built
    import keras

CELLS: tuple[str, ...] = ("simple", "lstm", "gru")
"""The recurrent layer kinds, in the order the course introduces them."""

CELL_NAMES: dict[str, str] = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
"""Display name (the Keras class name) of each kind, for tables and plot labels."""

CellSpec = Union[str, Callable[[int], "keras.layers.Layer"]]
"""A kind from :data:`CELLS`, or a factory that takes ``units`` and returns a recurrent
Keras layer (for example ``lambda units: MinGRU(units, return_sequences=True)``)."""

_FIX = "pass cell='simple' (SimpleRNN), 'lstm' (LSTM) or 'gru' (GRU)"


def check_cell(cell: Any) -> str:
    """Return ``cell`` lower-cased if it names one of :data:`CELLS`
    (``"LSTM"`` -> ``"lstm"``); otherwise raise ``ValueError`` saying which values are
    accepted, for example ``cell must be one of 'simple', 'lstm', 'gru', got 'rnn'``."""
    if isinstance(cell, str) and cell.lower() in CELLS:
        return cell.lower()
    hint = ""
    if isinstance(cell, str) and cell.lower() == "simplernn":
        hint = " (the kind of keras.layers.SimpleRNN is called 'simple')"
    raise ValueError(f"cell must be one of {', '.join(repr(c) for c in CELLS)}, got {cell!r}{hint}; {_FIX}")


def recurrent_layer(cell: str, units: int, **kwargs: Any) -> keras.layers.Layer:
    """A new ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU`` (chosen by ``cell``, checked by
    :func:`check_cell`) with ``units`` units; ``kwargs`` go to the layer unchanged
    (``return_sequences``, ``name``, ``dropout``, ...). Input ``(batch, T, d)``; output
    ``(batch, units)``, or ``(batch, T, units)`` with ``return_sequences=True``."""
    import keras

    kind = check_cell(cell)
    layer = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return layer(units, **kwargs)


def make_cell(cell: CellSpec, units: int, **kwargs: Any) -> keras.layers.Layer:
    """Build the recurrent layer that ``cell`` describes: a kind string goes to
    :func:`recurrent_layer` (with ``kwargs``); a callable is called as ``cell(units)`` and
    must return a Keras layer (``kwargs`` must then be empty: the factory sets its own
    options). Anything else raises ``TypeError``/``ValueError`` naming the fix."""
    if isinstance(cell, str):
        return recurrent_layer(cell, units, **kwargs)
    import keras

    if isinstance(cell, keras.layers.Layer) or not callable(cell):
        what = "a layer" if isinstance(cell, keras.layers.Layer) else f"{type(cell).__name__} {cell!r}"
        raise TypeError(f"cell must be a kind ({', '.join(repr(c) for c in CELLS)}) or a "
                        f"function units -> keras layer, got {what}; {_FIX}, or for example "
                        "cell=lambda units: MinGRU(units, return_sequences=True)")
    if kwargs:
        raise TypeError(f"layer options {sorted(kwargs)} apply only to a kind string; a factory sets "
                        "its own options: pass them inside the factory instead")
    layer = cell(units)
    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"the cell factory must return a keras layer, got {type(layer).__name__}; "
                        "make it return for example keras.layers.GRU(units, return_sequences=True)")
    return layer
