"""Safe persistence: ``estimator.save(path)`` and ``skgraph.load(path)``, running no code on load.

File format (version 1): one zip archive (``.skgraph`` by convention) with four members:

``manifest.json``
    ``{"format": "skgraph-estimator", "format_version": 1, "class": <name>,
    "skgraph_version": ..., "sha256": {<member>: <hex digest>, ...}}``. The class is looked
    up among the estimator classes defined in this process (skgraph's own, registered
    when their modules are imported, and subclasses of them); nothing is imported by name.
``estimator.json``
    The constructor parameters and every fitted attribute except the torch module, in a
    tagged JSON encoding (tuples, non-finite floats, numpy scalars and arrays keep their
    exact type and dtype). A scikit-learn estimator among them (the transformer of a
    :class:`~skgraph.preprocessing.NodeFeatureTransformer`) is stored the same way, as its
    class path, parameters and fitted attributes; on load its class is imported from
    scikit-learn's own modules only.
``arrays.pt``
    Numeric numpy arrays among the attributes, as a ``torch.save`` dict of tensors.
``module.pt``
    The module's ``state_dict`` (a dict of tensors), written by ``torch.save``; an empty
    dict for an estimator without a torch module.

Both ``.pt`` members are read with ``torch.load(..., weights_only=True)``, which only
rebuilds tensors and plain containers (never arbitrary objects), and only after their
SHA-256 matched the manifest. A file whose members were altered or truncated, saved by
another class than the one asked for, of an unknown class, of a newer format version or
with parameters that the class does not have is refused with a ``ValueError``.

Pickling uses the same pieces: the module is stored as its ``state_dict`` and rebuilt by
the one restore path (:func:`restore_module`), and state written by an earlier release is
completed by the one migration hook (``_upgrade_state``) before either path rebuilds it.
Epoch ``callbacks`` are code, which the safe format never stores: a loaded estimator has
``callbacks=None``.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import os
import zipfile
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.compose import make_column_selector
from sklearn.exceptions import NotFittedError
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.validation import check_is_fitted

from ._device import load_location, torch_defaults
from ._version import __version__

__all__ = ["FORMAT_VERSION", "PersistenceMixin", "load", "restore_module"]

FORMAT = "skgraph-estimator"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_JSON = "estimator.json"
_ARRAYS = "arrays.pt"
_MODULE = "module.pt"
_MEMBERS = (_JSON, _ARRAYS, _MODULE)
_TAG = "__skgraph__"  # the key that marks a tagged value in estimator.json


_REGISTRY: dict[str, type] = {}  # file name of a class -> the class (filled from below)


def _file_name(cls: type) -> str:
    """How a file names ``cls``: skgraph's own by their public name (as format version 1
    files do), any other by module and qualified name."""
    if cls.__module__.startswith("skgraph."):
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"


# types a scikit-learn estimator's parameters may name (make_column_selector(dtype_include=
# np.number), OneHotEncoder(dtype=float)): stored by name, restored from this table only
_TYPE_NAMES = {int: "int", float: "float", bool: "bool", str: "str", object: "object",
               complex: "complex", np.number: "numpy.number", np.integer: "numpy.integer",
               np.signedinteger: "numpy.signedinteger",
               np.unsignedinteger: "numpy.unsignedinteger", np.floating: "numpy.floating",
               np.inexact: "numpy.inexact", np.complexfloating: "numpy.complexfloating",
               np.generic: "numpy.generic", np.datetime64: "numpy.datetime64",
               np.timedelta64: "numpy.timedelta64"}
_TYPES_BY_NAME = {name: kind for kind, name in _TYPE_NAMES.items()}


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
        if isinstance(value, np.dtype):  # e.g. SimpleImputer's fitted dtype
            return {_TAG: "dtype", "value": value.str}
        if isinstance(value, type) and value in _TYPE_NAMES:  # np.number, object, ...
            return {_TAG: "type", "value": _TYPE_NAMES[value]}
        if type(value) is make_column_selector:  # columns chosen by dtype or name
            return {_TAG: "column_selector",
                    **{name: self.encode(getattr(value, name), f"{where} selector's {name}")
                       for name in ("pattern", "dtype_include", "dtype_exclude")}}
        if isinstance(value, type) and issubclass(value, np.generic):  # e.g. dtype=np.float64
            return {_TAG: "scalar_type", "value": np.dtype(value).str}
        if type(value) is list:
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if type(value) is tuple:
            return {_TAG: "tuple", "items": [self.encode(v, f"{where}[{i}]")
                                            for i, v in enumerate(value)]}
        if type(value) is slice:  # ColumnTransformer's output_indices_
            return {_TAG: "slice", "items": [self.encode(part, f"{where} slice")
                                             for part in (value.start, value.stop, value.step)]}
        if type(value) is dict:
            return {_TAG: "dict", "items": [[self.encode(k, f"{where} key"),
                                             self.encode(v, f"{where}[{k!r}]")]
                                            for k, v in value.items()]}
        if isinstance(value, MetadataRequest):  # set_fit_request(...) and the like
            return {_TAG: "metadata_request",
                    "requests": self.encode({method: dict(getattr(value, method).requests)
                                             for method in vars(value) if method != "owner"
                                             and getattr(value, method).requests}, where)}
        if isinstance(value, BaseEstimator) and type(value).__module__.startswith("sklearn."):
            params = value.get_params(deep=False)
            attributes = {k: v for k, v in vars(value).items() if k not in params}
            return {_TAG: "estimator",
                    "class": f"{type(value).__module__}.{type(value).__qualname__}",
                    "params": {k: self.encode(v, f"{where} parameter {k!r}")
                               for k, v in params.items()},
                    "attributes": {k: self.encode(v, f"{where} attribute {k!r}")
                                   for k, v in attributes.items()}}
        raise TypeError(
            f"cannot save {where} of type {type(value).__name__} safely: only None, bool, int, "
            "float, str, lists, tuples, dicts, slices, numpy scalars, dtypes and arrays, "
            "types such as float or np.number, column selectors and scikit-learn "
            "estimators made of those are stored; pickle or joblib store any "
            "object." + (" A RandomState instance as random_state cannot be saved; use an "
                         "int." if isinstance(value, np.random.RandomState) else ""))

    def _array(self, array: np.ndarray, where: str) -> dict:
        spec = {_TAG: "ndarray", "dtype": array.dtype.str, "shape": list(array.shape)}
        if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
            spec["order"] = "F"  # (PCA's components_): BLAS rounds by the memory layout
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
    if tag == "slice":
        parts = [_decode(v, tensors) for v in value["items"]]
        if len(parts) != 3 or not all(p is None or (isinstance(p, (int, np.integer))
                                                    and not isinstance(p, bool))
                                      for p in parts) or parts[2] == 0:
            raise ValueError("estimator.json holds a slice whose bounds are not integers.")
        return slice(*parts)
    if tag == "scalar":
        return np.dtype(value["dtype"]).type(_decode(value["value"], tensors))
    if tag == "dtype":
        return _stored_dtype(value["value"])
    if tag == "scalar_type":
        return _stored_dtype(value["value"]).type
    if tag == "type":
        if value.get("value") not in _TYPES_BY_NAME:
            raise ValueError(f"estimator.json names an unknown type {value.get('value')!r}.")
        return _TYPES_BY_NAME[value["value"]]
    if tag == "column_selector":
        return _column_selector(value, tensors)
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
        array = array.reshape(shape)
        return np.asfortranarray(array) if value.get("order") == "F" else array
    if tag == "estimator":
        return _sklearn_estimator(value, tensors)
    if tag == "metadata_request":
        return _metadata_request(value, tensors)
    raise ValueError(f"estimator.json holds an object with an unknown tag {tag!r}.")


def _column_selector(value: dict, tensors: dict[str, torch.Tensor]) -> make_column_selector:
    """A ``make_column_selector`` of a saved ``ColumnTransformer``: a pattern (text or None)
    and dtypes (text, the types :data:`_TYPE_NAMES` names, or lists of them)."""
    parts = {name: _decode(value.get(name), tensors)
             for name in ("pattern", "dtype_include", "dtype_exclude")}

    def dtypes(item: Any) -> bool:
        items = item if isinstance(item, list) else [item]
        return all(entry is None or isinstance(entry, str) or entry in _TYPE_NAMES
                   or (isinstance(entry, type) and issubclass(entry, np.generic))
                   for entry in items)

    if not (parts["pattern"] is None or isinstance(parts["pattern"], str)) \
            or not dtypes(parts["dtype_include"]) or not dtypes(parts["dtype_exclude"]):
        raise ValueError("estimator.json holds a column selector that is not a pattern and "
                         "dtypes.")
    return make_column_selector(**parts)


class _MetadataRequests(dict):
    """Saved metadata requests, ``{method: {parameter: alias}}``, for :func:`load` to set
    through the estimator's own ``set_{method}_request`` (scikit-learn's public route)."""


def _metadata_request(value: dict, tensors: dict[str, torch.Tensor]) -> _MetadataRequests:
    """The metadata requests (``set_fit_request(sample_weight=True)``, ...) of a saved
    estimator: method names, parameter names and their aliases (True, False, None or a
    string), nothing else."""
    requests = _decode(value.get("requests"), tensors)
    if not isinstance(requests, dict):
        raise ValueError("estimator.json holds metadata requests without their methods.")
    for method, params in requests.items():
        if not (isinstance(method, str) and method.isidentifier() and isinstance(params, dict)
                and all(isinstance(param, str) and (alias is None or isinstance(alias, (bool, str)))
                        for param, alias in params.items())):
            raise ValueError(f"estimator.json holds metadata requests for {method!r} that are "
                             "not parameter names and aliases.")
    return _MetadataRequests(requests)


def _set_metadata_requests(estimator: Any, requests: _MetadataRequests) -> None:
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        for method, params in requests.items():
            setter = getattr(estimator, f"set_{method}_request", None)
            if setter is None:
                raise ValueError(f"the file requests metadata for {method!r}, which "
                                 f"{type(estimator).__name__} does not take.")
            setter(**params)


def _stored_dtype(name: Any) -> np.dtype:
    """A dtype written by :class:`_Encoder`: numbers, booleans, strings or objects only."""
    try:
        dtype = np.dtype(name) if isinstance(name, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biufcUSO":
        raise ValueError(f"the file stores an unsupported dtype {name!r}.")
    return dtype


def _sklearn_estimator(value: dict, tensors: dict[str, torch.Tensor]) -> BaseEstimator:
    """A scikit-learn estimator stored by :class:`_Encoder`, its class imported from sklearn."""
    path = value.get("class")
    module_name, _, name = path.rpartition(".") if isinstance(path, str) else ("", "", "")
    if not module_name.startswith("sklearn.") or not name.isidentifier():
        raise ValueError(f"the file names a nested estimator class {path!r}; only "
                         "scikit-learn's own estimators are loaded.")
    cls = getattr(importlib.import_module(module_name), name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseEstimator)):
        raise ValueError(f"{path!r} is not a scikit-learn estimator class.")
    estimator = cls(**{k: _decode(v, tensors) for k, v in value["params"].items()})
    for key, item in value["attributes"].items():
        decoded = _decode(item, tensors)
        if isinstance(decoded, _MetadataRequests):
            _set_metadata_requests(estimator, decoded)
        else:
            setattr(estimator, key, decoded)
    return estimator


# -- writing and reading ---------------------------------------------------------------
def _tensor_bytes(tensors: dict[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in tensors.items()}, buffer)
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_state(estimator: Any) -> dict[str, torch.Tensor]:
    module = getattr(estimator, "module_", None)
    return {} if module is None else module.state_dict()


def save(estimator: Any, path: str | os.PathLike) -> None:
    """Write a fitted skgraph estimator to ``path`` (see the module docstring for the format)."""
    _check_path(path)
    name = _file_name(type(estimator))
    registered = _REGISTRY.get(name)
    if registered is not type(estimator):
        if registered is not None:  # a class defined again (a notebook cell run twice)
            raise TypeError(
                f"{name} names another class now: {type(estimator).__name__} was defined "
                "again since this estimator was made, and a file must name the class that "
                "load will find; refit with the current class, or pickle this one.")
        raise TypeError(f"only skgraph's estimators (and subclasses of them) can be saved, not "
                        f"{type(estimator).__name__}.")
    check_is_fitted(estimator)
    params = estimator.get_params(deep=False)
    if "callbacks" in params:
        params["callbacks"] = None  # code: never stored (see the module docstring)
    attributes = {k: v for k, v in vars(estimator).items()
                  if k not in params and k != "module_"}
    encoder = _Encoder()
    document = {"params": {k: encoder.encode(v, f"parameter {k!r}") for k, v in params.items()},
                "attributes": {k: encoder.encode(v, f"attribute {k!r}")
                               for k, v in attributes.items()}}
    members = {
        _JSON: json.dumps(document, allow_nan=False, sort_keys=True).encode("utf-8"),
        _ARRAYS: _tensor_bytes(encoder.tensors),
        _MODULE: _tensor_bytes(_module_state(estimator)),
    }
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "class": name,
                "skgraph_version": __version__,
                "sha256": {member: _sha256(data) for member, data in members.items()}}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        for member, data in members.items():
            archive.writestr(member, data)


def restore_module(estimator: Any, weights: bytes) -> None:
    """Rebuild ``estimator.module_`` from its saved ``state_dict`` (bytes of ``torch.save``).

    The one restore path of pickling and :func:`load`: the tensors go where
    :func:`~skgraph._device.load_location` says (the CPU, with a warning, for a model saved
    on a GPU that is not here), read with ``weights_only=True``.

    Raises
    ------
    ValueError
        If the bytes do not hold a dict of tensors that fits the estimator's module.
    """
    location = load_location(str(estimator.device_))
    try:
        state = torch.load(io.BytesIO(weights), map_location=location, weights_only=True)
    except (Warning, NotFittedError):
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a non-tensor object refused by weights_only
        raise ValueError(f"the saved weights could not be read: {exc!r}") from None
    builder = estimator
    fitted = getattr(estimator, "_fit_params", None)
    if fitted:  # the parameters the module was built with, not ones set since
        builder = object.__new__(type(estimator))
        builder.__dict__.update({**vars(estimator), **fitted})
    with torch_defaults():  # float32 layers, whatever the caller's default dtype
        module = builder._build_module()
    try:
        module.load_state_dict(state)
    except RuntimeError as exc:
        raise ValueError(f"the saved weights do not fit a {type(estimator).__name__} with these "
                         f"parameters: {exc}") from None
    estimator.module_ = module.to(location).eval()
    estimator.device_ = str(location)


def _check_path(path: Any) -> None:
    # zipfile also takes binary file objects (with seek), which keep working
    if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "seek"):
        raise TypeError(f"path must be a file path (str or path-like), not "
                        f"{type(path).__name__}.")


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
    _check_path(path)
    if estimator_class is not None and not isinstance(estimator_class, type):
        raise TypeError(f"estimator_class must be a class, such as skgraph.VGAEEmbedder, not "
                        f"{estimator_class!r}.")
    manifest, members = _read_members(path)
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"the file has an invalid format version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(f"the file was written in skgraph file format version {version}, newer "
                         f"than this skgraph reads ({FORMAT_VERSION}); upgrade skgraph to load it.")
    name = manifest.get("class")
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"the file names class {name!r}, which is not a skgraph estimator "
                         f"defined here (known: {sorted(_REGISTRY)}).")
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
    unknown = sorted(set(params) - expected_params)
    state = {**params, **attributes}
    cls._upgrade_state(state)  # fills what a file of an earlier release lacks
    absent = sorted(expected_params - set(state))
    if unknown or absent:
        raise ValueError(f"the parameters in the file do not match {name}: unknown "
                         f"{unknown}, missing {absent}.")
    estimator = cls(**{k: state.pop(k) for k in expected_params})
    requests = state.pop("_metadata_request", None)
    for key, value in state.items():
        setattr(estimator, key, value)
    if isinstance(requests, _MetadataRequests):
        _set_metadata_requests(estimator, requests)
    if getattr(cls, "_build_module", None) is not None:
        restore_module(estimator, members[_MODULE])
    return estimator


class PersistenceMixin:
    """Saving and pickling of skgraph estimators.

    ``save(path)`` and ``load(path)`` in skgraph's safe file format (no pickle), and
    pickling that stores the torch module as a device-independent ``state_dict``. Every
    concrete subclass is registered when it is defined, which is how :func:`load` finds
    the class a file names without importing anything; abstract bases pass
    ``persistent=False``. Subclasses complete state written by earlier releases in
    :meth:`_upgrade_state`.
    """

    def __init_subclass__(cls, persistent: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if persistent:
            _REGISTRY[_file_name(cls)] = cls

    @classmethod
    def _upgrade_state(cls, state: dict) -> None:
        """Fill, in place, what the parameters and attributes of an earlier release lack
        (pickle and ``load`` both call it before rebuilding the estimator)."""

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__
        module = state.pop("module_", None)
        if module is not None:
            buffer = io.BytesIO()
            torch.save(module.state_dict(), buffer)
            state["_module_state"] = buffer.getvalue()
        return state

    def __setstate__(self, state: dict) -> None:
        weights = state.pop("_module_state", None)
        type(self)._upgrade_state(state)
        super().__setstate__(state)
        if weights is not None:
            restore_module(self, weights)

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
