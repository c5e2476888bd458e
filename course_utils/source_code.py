"""Show the library's code inside a chapter.

Where a chapter relies on library code the learner has not seen written (the encoder and
decoder step, the attention scores, beam search), it prints that code with
:func:`show_source` in a checked cell (``# NBVAL_CHECK_OUTPUT``). The stored output is the
code as it was when the chapter was written, so changing the library fails the notebook
that explains it until the chapter is re-read and re-stored.
"""

from __future__ import annotations

import inspect
import sys
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
    return f"# {public_address(target)}\n" + textwrap.dedent(inspect.getsource(target)).rstrip()


def public_address(obj: Any) -> str:
    """Where a learner imports ``obj`` from: ``package.name`` when the package that holds its
    module re-exports it (``course_utils.transformer.causal_mask``, defined in
    ``course_utils.transformer.numpy_attention``), else ``module.name``. A method is named
    through its class (``course_utils.seq2seq.layers.Decoder.step``)."""
    module = inspect.getmodule(obj)
    if module is None:
        return obj.__qualname__
    top = obj.__qualname__.split(".")[0]
    package = sys.modules.get(module.__name__.rpartition(".")[0])
    if package is not None and package is not module and top in getattr(package, "__all__", ()):
        owner = obj if top == obj.__qualname__ else getattr(module, top, None)
        if getattr(package, top, None) is owner:
            return f"{package.__name__}.{obj.__qualname__}"
    return f"{module.__name__}.{obj.__qualname__}"


def show_source(*objects: Any) -> None:
    """Print the source of each object (functions, methods, classes), one after another."""
    if not objects:
        raise TypeError("show_source() needs at least one function, method or class, e.g. show_source(Decoder.step)")
    print("\n\n".join(source_of(obj) for obj in objects))
