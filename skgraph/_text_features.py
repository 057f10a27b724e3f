"""Node features holding text or categories, kept by :class:`~skgraph.Graph` for a pipeline.

A table of papers (title, venue, year) or of accounts (country, plan, balance) is a natural
set of node features, and a network reads numbers. A graph keeps such a table as a
read-only 2-D object array (missing entries NaN), so that
:class:`~skgraph.preprocessing.NodeFeatureTransformer` encodes it inside the pipeline, where
the encoders are fitted, searched over and saved with the model; every estimator refuses it
through :func:`refuse_text`, naming the columns and the encoder to use.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["encoding_suggestion", "is_missing", "is_text_table", "plain_value", "refuse_text",
           "text_columns", "text_dtype", "text_table"]


def plain_value(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (names compare and print as given)."""
    return value.item() if isinstance(value, np.generic) else value


def is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA: an entry a table does not have."""
    return value is None or (isinstance(value, numbers.Real) and value != value) \
        or type(value).__name__ == "NAType"


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, bytes))


def is_text_table(features: Any) -> bool:
    """Whether node features are a table holding text (an object array)."""
    return isinstance(features, np.ndarray) and features.dtype == object


def text_dtype(dtype: Any) -> bool:
    """A pandas column type of text: strings, or categories that are not numbers."""
    if type(dtype).__name__ == "StringDtype":
        return True
    categories = getattr(dtype, "categories", None)
    return categories is not None and categories.dtype.kind in "OSU"


def text_table(features: Any) -> np.ndarray | None:
    """``features`` as a text table (a 2-D object array copy, missing entries NaN) when they
    hold text: a DataFrame with a text or category column, or an array or list of rows with
    a string in it; None for anything else (read as numbers).

    Raises
    ------
    TypeError
        If a column of a text table holds values that are neither text nor numbers.
    ValueError
        If a number in it is infinite.
    """
    names = None
    if _data_frame(features):
        if all(getattr(dtype, "kind", "O") != "O" for dtype in features.dtypes):
            return None  # text lives in object, string or category columns only
        values = np.asarray(features, dtype=object)
        names = list(features.columns)
    elif isinstance(features, (np.ndarray, list, tuple)) and not sp.issparse(features):
        try:  # lists as objects: NumPy would make text of the numbers beside a text
            if isinstance(features, (list, tuple)) \
                    and np.asarray(features).dtype.kind in "biuf":
                return None  # numbers only, read at NumPy's speed (not value by value)
            values = np.asarray(features, dtype=object if isinstance(features, (list, tuple))
                                else None)
        except (TypeError, ValueError):  # ragged rows: refused by the numeric reader
            return None
        if values.dtype.kind in "SU":
            values = values.astype(object)
    else:
        return None
    # a text column with no text in it (all missing) is read as numbers: missing ones
    if values.dtype != object or values.ndim != 2 or not any(
            _is_text(value) for value in values.flat):
        return None
    table = np.array(values, dtype=object, copy=True)
    for j in range(table.shape[1]):
        label = repr(names[j]) if names is not None else str(j)
        for i, value in enumerate(table[:, j]):
            if is_missing(value):
                table[i, j] = np.nan
            elif isinstance(value, numbers.Real) and not math.isfinite(value):
                raise ValueError(f"features column {label} is {value} for row {i}; features "
                                 "must be finite or missing (NaN, None).")
            elif not (_is_text(value) or isinstance(value, numbers.Real)):
                raise TypeError(f"features column {label} holds {type(value).__name__} "
                                f"values (row {i}: {value!r}), neither numbers nor text; "
                                "convert them to one or the other.")
    return table


def text_columns(table: np.ndarray) -> list[int]:
    """Positions of the columns of a text table that hold text."""
    return [j for j in range(table.shape[1]) if any(_is_text(value) for value in table[:, j])]


def _free_text(column: np.ndarray) -> bool:
    """Whether a column of text reads as free text (several words a value, or mostly
    distinct values) rather than categories."""
    texts = [value.decode("latin-1") if isinstance(value, bytes) else value
             for value in column if _is_text(value) and value.strip()]  # "": a filled gap
    words = sum(len(text.split()) for text in texts) / max(len(texts), 1)
    distinct = len(set(texts))
    return words >= 2 or (distinct > 20 and distinct > len(texts) / 2)


def _label(j: int, column_names: Any) -> str:
    return repr(str(column_names[j])) if column_names is not None else str(j)


def encoding_suggestion(table: np.ndarray, column_names: Any = None) -> str:
    """Code for a transformer that encodes a text table: a vectorizer for one column of
    free text, a one-hot encoder for one of categories, else a ``ColumnTransformer`` of
    them (free text selected by name, 1-D; categories by a list) scaling the numbers."""
    text = text_columns(table)
    encoders = ["TfidfVectorizer()" if _free_text(table[:, j])
                else "OneHotEncoder(handle_unknown='ignore')" for j in text]
    if table.shape[1] == 1:
        return encoders[0]
    steps, used = [], set()
    for j, encoder in zip(text, encoders):
        name = str(column_names[j]) if column_names is not None else f"x{j}"
        name = name if name not in used else f"{name}_{j}"  # step names must differ
        used.add(name)
        label = _label(j, column_names)
        selector = label if encoder.startswith("Tfidf") else f"[{label}]"
        steps.append(f"({name!r}, {encoder}, {selector})")
    rest = ", remainder=StandardScaler()" if len(text) < table.shape[1] else ""
    return f"ColumnTransformer([{', '.join(steps)}]{rest})"


def refuse_text(table: np.ndarray, estimator: str, which: str = "",
                column_names: Any = None, node_names: Any = None) -> None:
    """Raise the ``TypeError`` an estimator gives for node features holding text: numbers
    mixed with text (a data error) and numbers written as text are named as such, text and
    categories get the encoder to use in the pipeline."""
    text = text_columns(table)

    def node_label(i: int) -> str:
        return repr(plain_value(node_names[i])) if node_names is not None else str(i)

    for j in text:
        column, label = table[:, j], _label(j, column_names)
        is_text = np.array([_is_text(value) for value in column])
        first = int(np.flatnonzero(is_text)[0])
        numeric = sum(isinstance(value, numbers.Real) and not is_missing(value)
                      for value in column)
        where = f"{column[first]!r} at node {node_label(first)}"
        if numeric > is_text.sum():
            raise TypeError(
                f"{estimator} got node features holding text{which}: column {label} holds "
                f"numbers and text ({where}); convert it to numbers first "
                "(pd.to_numeric(column, errors='coerce') makes such entries missing, for an "
                "imputer in the pipeline).")
        try:
            [float(value) for value in column[is_text]]
        except ValueError:
            continue
        raise TypeError(
            f"{estimator} got node features holding text{which}: column {label} holds "
            f"numbers written as text ({where}); convert it to numbers first "
            "(pd.to_numeric(column)), or one-hot encode it if they are codes of categories.")
    labels = [_label(j, column_names) for j in text]
    unfilled = [label for j, label in zip(text, labels)
                if _free_text(table[:, j]) and any(is_missing(v) for v in table[:, j])]
    fill = (f" Fill the missing texts of {', '.join(unfilled)} first (e.g. df.fillna("
            f"{{{unfilled[0]}: ''}})): vectorizers refuse NaN." if unfilled else "")
    raise TypeError(
        f"{estimator} got node features holding text{which} (column"
        f"{'s' if len(text) > 1 else ''} {', '.join(labels)}); a network reads numbers. "
        f"Encode them inside the pipeline, e.g. make_pipeline(NodeFeatureTransformer("
        f"{encoding_suggestion(table, column_names)}), {estimator}()).{fill}")


def _data_frame(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "iloc")
