"""Safe persistence: ``estimator.save(path)`` and ``skgraph.load(path)``, running no code on load.

File format (version 1): one zip archive (``.skgraph`` by convention) with four members:

``manifest.json``
    ``{"format": "skgraph-estimator", "format_version": 1, "class": <name>,
    "skgraph_version": ..., "sha256": {<member>: <hex digest>, ...}}``. The class is looked
    up in an explicit allow-list of skgraph estimators; nothing is imported by name.
``estimator.json``
    The constructor parameters and every fitted attribute except the torch module, in a
    tagged JSON encoding (tuples, non-finite floats, numpy scalars and arrays keep their
    exact type and dtype).
``arrays.pt``
    Numeric numpy arrays among the attributes, as a ``torch.save`` dict of tensors.
``module.pt``
    The module's ``state_dict`` (a dict of tensors), written by ``torch.save``.

Both ``.pt`` members are read with ``torch.load(..., weights_only=True)``, which only
rebuilds tensors and plain containers (never arbitrary objects), and only after their
SHA-256 matched the manifest. A file whose members were altered or truncated, saved by
another class than the one asked for, of an unknown class, of a newer format version or
with parameters that the class does not have is refused with a ``ValueError``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from typing import Any

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._device import load_location

__all__ = ["FORMAT_VERSION", "PersistenceMixin", "load"]

FORMAT = "skgraph-estimator"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_JSON = "estimator.json"
_ARRAYS = "arrays.pt"
_MODULE = "module.pt"
_MEMBERS = (_JSON, _ARRAYS, _MODULE)
_TAG = "__skgraph__"  # the key that marks a tagged value in estimator.json


def _allowed_classes() -> dict[str, type]:
    """The estimators a file may name (imported here to avoid an import cycle)."""
    from ._embedding import VGAEEmbedder
    from ._graph_classifier import GNNGraphClassifier
    from ._graph_regressor import GNNGraphRegressor
    from ._link_prediction import LinkPredictor

    return {cls.__name__: cls for cls in (VGAEEmbedder, LinkPredictor, GNNGraphClassifier,
                                          GNNGraphRegressor)}


# -- tagged JSON encoding -------------------------------------------------------------
class _Encoder:
    """Encode parameters and attributes as JSON; numeric arrays go to a tensor dict."""

    def __init__(self) -> None:
        self.tensors: dict[str, torch.Tensor] = {}

    def encode(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            if math.isfinite(value):
                return value
            return {_TAG: "float", "value": repr(value)}  # nan, inf, -inf
        if isinstance(value, np.generic):
            return {_TAG: "scalar", "dtype": value.dtype.str,
                    "value": self.encode(value.item(), where)}
        if isinstance(value, np.ndarray):
            return self._array(value, where)
        if type(value) is list:
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if type(value) is tuple:
            return {_TAG: "tuple", "items": [self.encode(v, f"{where}[{i}]")
                                            for i, v in enumerate(value)]}
        if type(value) is dict:
            return {_TAG: "dict", "items": [[self.encode(k, f"{where} key"),
                                             self.encode(v, f"{where}[{k!r}]")]
                                            for k, v in value.items()]}
        raise TypeError(
            f"cannot save {where} of type {type(value).__name__} safely: only None, bool, int, "
            "float, str, lists, tuples, dicts and numpy scalars and arrays are stored. (A "
            "RandomState instance as random_state, for example, cannot be saved; use an int.)")

    def _array(self, array: np.ndarray, where: str) -> dict:
        spec = {_TAG: "ndarray", "dtype": array.dtype.str, "shape": list(array.shape)}
        if array.dtype.kind in "biufc":
            key = str(len(self.tensors))
            native = array.astype(array.dtype.newbyteorder("="), copy=False)
            try:
                self.tensors[key] = torch.from_numpy(np.ascontiguousarray(native)).clone()
                return {**spec, "tensor": key}
            except TypeError:  # a dtype torch does not have: store the numbers as JSON
                pass
        if array.dtype.kind in "biufcUSO":
            items = array.ravel().tolist()
            if array.dtype.kind == "S":
                items = [item.decode("latin-1") for item in items]
            return {**spec, "items": [self.encode(v, f"{where} item") for v in items]}
        raise TypeError(f"cannot save {where}: numpy arrays of dtype {array.dtype} are not "
                        "stored.")


def _decode(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag == "float":
        return float(value["value"])
    if tag == "tuple":
        return tuple(_decode(v, tensors) for v in value["items"])
    if tag == "dict":
        return {_decode(k, tensors): _decode(v, tensors) for k, v in value["items"]}
    if tag == "scalar":
        return np.dtype(value["dtype"]).type(_decode(value["value"], tensors))
    if tag == "ndarray":
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biufcUSO":
            raise ValueError(f"the file stores an array of unsupported dtype {dtype}.")
        shape = tuple(int(s) for s in value["shape"])
        if "tensor" in value:
            array = tensors[value["tensor"]].numpy().astype(dtype)
        else:
            items = [_decode(v, tensors) for v in value["items"]]
            if dtype.kind == "S":
                items = [item.encode("latin-1") for item in items]
            if dtype.kind == "O":
                array = np.empty(len(items), dtype=object)
                array[:] = items
            else:
                array = np.array(items, dtype=dtype)
        return array.reshape(shape)
    raise ValueError(f"estimator.json holds an object with an unknown tag {tag!r}.")


# -- writing and reading ---------------------------------------------------------------
def _tensor_bytes(tensors: dict[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in tensors.items()}, buffer)
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(estimator: Any, path: str | os.PathLike) -> None:
    """Write a fitted skgraph estimator to ``path`` (see the module docstring for the format)."""
    name = type(estimator).__name__
    if _allowed_classes().get(name) is not type(estimator):
        raise TypeError(f"only skgraph's own estimators can be saved, not {name}.")
    check_is_fitted(estimator, "module_")
    params = estimator.get_params(deep=False)
    attributes = {k: v for k, v in vars(estimator).items()
                  if k not in params and k != "module_"}
    encoder = _Encoder()
    document = {"params": {k: encoder.encode(v, f"parameter {k!r}") for k, v in params.items()},
                "attributes": {k: encoder.encode(v, f"attribute {k!r}")
                               for k, v in attributes.items()}}
    members = {
        _JSON: json.dumps(document, allow_nan=False, sort_keys=True).encode("utf-8"),
        _ARRAYS: _tensor_bytes(encoder.tensors),
        _MODULE: _tensor_bytes(estimator.module_.state_dict()),
    }
    from . import __version__

    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "class": name,
                "skgraph_version": __version__,
                "sha256": {member: _sha256(data) for member, data in members.items()}}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        for member, data in members.items():
            archive.writestr(member, data)


def _read_members(path: str | os.PathLike) -> tuple[dict, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            manifest = json.loads(archive.read(_MANIFEST).decode("utf-8")) \
                if _MANIFEST in names else None
            members = {member: archive.read(member) for member in _MEMBERS if member in names}
    except OSError as exc:
        if not isinstance(exc, zipfile.BadZipFile) and exc.errno is not None:
            raise  # file not found, permission denied, ...: not a problem of the content
        raise ValueError(f"{os.fspath(path)!r} is not a readable skgraph estimator file "
                         f"(corrupt or truncated?): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, bad JSON, ...
        raise ValueError(f"{os.fspath(path)!r} is not a readable skgraph estimator file "
                         f"(corrupt or truncated?): {exc!r}") from None
    missing = sorted({_MANIFEST, *_MEMBERS} - {*members, *([_MANIFEST] if manifest else [])})
    if missing or not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is not a skgraph estimator file"
                         + (f": it lacks {missing}." if missing else "."))
    return manifest, members


def load(path: str | os.PathLike, estimator_class: type | None = None) -> Any:
    """Load an estimator written by ``estimator.save(path)``, without running code from it.

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`~skgraph.VGAEEmbedder.save` (or the ``save`` of another
        skgraph estimator).
    estimator_class : type, default=None
        When given, the file must hold an estimator of exactly this class.

    Returns
    -------
    estimator
        The fitted estimator, its module on the device it was trained on when that device
        exists here, else on the CPU (with a warning).

    Raises
    ------
    ValueError
        If the file is not a skgraph estimator file, is corrupt, truncated or altered (a
        SHA-256 does not match), names a class that is not a skgraph estimator or is not
        ``estimator_class``, comes from a newer format version, or its parameters do not
        match the class.

    Examples
    --------
    >>> import os, tempfile
    >>> import skgraph
    >>> from skgraph import VGAEEmbedder
    >>> from skgraph.datasets import make_community_graph
    >>> G, _ = make_community_graph(n_nodes=40, random_state=0)
    >>> est = VGAEEmbedder(max_epochs=5, device="cpu", random_state=0).fit(G)
    >>> path = os.path.join(tempfile.mkdtemp(), "embedder.skgraph")
    >>> est.save(path)
    >>> again = skgraph.load(path)
    >>> bool((again.transform(G) == est.transform(G)).all())
    True
    """
    manifest, members = _read_members(path)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"the file has an invalid format version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(f"the file was written in skgraph file format version {version}, newer "
                         f"than this skgraph reads ({FORMAT_VERSION}); upgrade skgraph to load it.")
    allowed = _allowed_classes()
    name = manifest.get("class")
    if name not in allowed:
        raise ValueError(f"the file names class {name!r}, which is not a skgraph estimator "
                         f"(expected one of {sorted(allowed)}).")
    cls = allowed[name]
    if estimator_class is not None and cls is not estimator_class:
        raise ValueError(f"the file holds a {name}, not a "
                         f"{getattr(estimator_class, '__name__', estimator_class)}.")
    digests = manifest.get("sha256")
    for member, data in members.items():
        expected = digests.get(member) if isinstance(digests, dict) else None
        if expected != _sha256(data):
            raise ValueError(f"the checksum of {member} does not match the manifest: the file "
                             "was altered or damaged; refusing to load it.")
    try:
        document = json.loads(members[_JSON].decode("utf-8"))
        tensors = torch.load(io.BytesIO(members[_ARRAYS]), map_location="cpu", weights_only=True)
        params = {k: _decode(v, tensors) for k, v in document["params"].items()}
        attributes = {k: _decode(v, tensors) for k, v in document["attributes"].items()}
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - consistent checksums, content of the wrong shape
        raise ValueError(f"the file's content could not be read: {exc!r}") from None
    expected_params = set(cls._get_param_names())
    if set(params) != expected_params:
        extra, absent = set(params) - expected_params, expected_params - set(params)
        raise ValueError(f"the parameters in the file do not match {name}: unknown "
                         f"{sorted(extra)}, missing {sorted(absent)}.")
    estimator = cls(**params)
    for key, value in attributes.items():
        setattr(estimator, key, value)
    try:
        location = load_location(str(estimator.device_))
        weights = torch.load(io.BytesIO(members[_MODULE]), map_location=location,
                             weights_only=True)
    except (Warning, NotFittedError):
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a non-tensor object refused by weights_only
        raise ValueError(f"the weights in the file could not be read: {exc!r}") from None
    module = estimator._build_module()
    try:
        module.load_state_dict(weights)
    except RuntimeError as exc:
        raise ValueError(f"the weights in the file do not fit a {name} with these parameters: "
                         f"{exc}") from None
    estimator.module_ = module.to(location).eval()
    estimator.device_ = str(location)
    return estimator


class PersistenceMixin:
    """``save(path)`` and ``load(path)`` in skgraph's safe file format (no pickle)."""

    def save(self, path: str | os.PathLike) -> None:
        """Write this fitted estimator to ``path`` in a format that runs no code on load.

        The file is a zip archive holding the parameters and fitted attributes as JSON,
        numeric arrays and the module weights as tensors, and SHA-256 checksums. Read it
        back with :func:`skgraph.load` or ``type(self).load(path)``.

        Parameters
        ----------
        path : str or path-like

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        TypeError
            If a parameter or attribute is of a type that is not stored (for example a
            ``RandomState`` instance as ``random_state``).
        """
        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Any:
        """Load an estimator of this class written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        estimator : an instance of this class, fitted

        Raises
        ------
        ValueError
            If the file holds another class, or is refused by :func:`skgraph.load`.
        """
        return load(path, estimator_class=cls)
