"""Show the library's code inside a chapter.

Where a chapter relies on library code the learner has not seen written (the encoder and
decoder step, the attention scores, beam search), it prints that code with
:func:`show_source` in a checked cell (``# NBVAL_CHECK_OUTPUT``). The stored output is the
code as it was when the chapter was written, so changing the library fails the notebook
that explains it until the chapter is re-read and re-stored.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

__all__ = ["show_source"]


def source_of(obj: Any) -> str:
    """The source of a function, method or class, dedented, under a comment line naming
    where it lives, e.g. ``# course_utils.seq2seq.layers.Decoder.step``."""
    target = inspect.unwrap(obj)
    if not (inspect.isfunction(target) or inspect.ismethod(target) or inspect.isclass(target)):
        raise TypeError(f"show_source() shows functions, methods and classes, got {type(obj).__name__}; "
                        "pass the object itself, e.g. show_source(Decoder.step)")
    module = inspect.getmodule(target)
    where = f"{module.__name__}.{target.__qualname__}" if module else target.__qualname__
    return f"# {where}\n" + textwrap.dedent(inspect.getsource(target)).rstrip()


def show_source(*objects: Any) -> None:
    """Print the source of each object (functions, methods, classes), one after another."""
    if not objects:
        raise TypeError("show_source() needs at least one function, method or class, e.g. show_source(Decoder.step)")
    print("\n\n".join(source_of(obj) for obj in objects))
