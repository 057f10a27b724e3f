"""Warnings that point at the user's line, not at a frame inside skgraph or scikit-learn.

A fixed ``stacklevel`` breaks whenever a decorator or a helper adds a frame between the
user's call and the warning; :func:`warn_caller` counts the frames instead.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings

import joblib
import sklearn

_INTERNAL = tuple(os.path.dirname(os.path.abspath(path)) + os.sep
                  for path in (__file__, sklearn.__file__, joblib.__file__)) + tuple(
    os.path.abspath(module.__file__) for module in (contextlib, functools))


def warn_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside skgraph, scikit-learn and joblib
    (which runs ``cross_val_score``'s fits)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
