"""Device choice, in one place: which device to train on, where to load saved state, and
the process-wide torch state (random number generator, thread count, default dtype) a fit
holds."""

from __future__ import annotations

import contextlib
import re
import threading

import torch

from ._warnings import warn_caller

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def check_device_name(device: str) -> None:
    """Raise ``ValueError`` unless ``device`` is one of the accepted device strings."""
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}.")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(device: str, *, mps: str | None = None) -> torch.device:
    """The torch device for a ``device`` parameter.

    ``"auto"`` picks CUDA, then MPS, then CPU. Asking for a device that is not present
    raises ``ValueError`` instead of failing later inside torch. ``mps``, for an estimator
    whose training MPS cannot run, says why: ``"auto"`` then skips MPS, and ``"mps"``
    raises ``ValueError`` with that reason.
    """
    check_device_name(device)
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() and mps is None else torch.device("cpu")
    if mps is not None and torch.device(device).type == "mps":
        raise ValueError(f"device='mps' cannot train this estimator: {mps} Use 'cpu' (or "
                         "'auto', which skips MPS for it).")
    resolved = torch.device(device)
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={device!r} was requested but CUDA is not available.")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(f"device={device!r} was requested but only "
                             f"{torch.cuda.device_count()} CUDA device(s) exist.")
    if resolved.type == "mps" and not _mps_available():
        raise ValueError("device='mps' was requested but MPS is not available.")
    return resolved


def load_location(saved_device: str) -> torch.device:
    """Where to put state that was saved on ``saved_device``, on this machine.

    A model trained on a GPU loads on a machine without one: its tensors go to the CPU,
    with a warning (the behaviour of skorch's ``get_map_location``).
    """
    saved = torch.device(saved_device)
    if saved.type == "cuda" and not torch.cuda.is_available():
        warn_caller(f"the model was trained on {saved_device} but CUDA is not available here; "
                    "it is loaded on the CPU.")
        return torch.device("cpu")
    if saved.type == "mps" and not _mps_available():
        warn_caller("the model was trained on MPS but MPS is not available here; "
                    "it is loaded on the CPU.")
        return torch.device("cpu")
    if saved.type == "cuda" and saved.index is not None and saved.index >= torch.cuda.device_count():
        return torch.device("cuda")
    return saved


@contextlib.contextmanager
def seeded_generators(device: torch.device, seed: int):
    """Seed the generators a fit on ``device`` draws from, the CPU's and that device's own,
    and give them back their state afterwards; every other generator is left alone
    (``torch.manual_seed`` would reseed every GPU and MPS, and ``fork_rng`` restores only
    the devices it is given)."""
    cuda = ([device.index if device.index is not None else torch.cuda.current_device()]
            if device.type == "cuda" else [])
    with torch.random.fork_rng(devices=cuda):
        torch.random.default_generator.manual_seed(seed)
        mps_state = None
        if device.type == "cuda":
            with torch.cuda.device(cuda[0]):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":
            mps_state = torch.mps.get_rng_state()
            torch.mps.manual_seed(seed)
        try:
            yield
        finally:
            if mps_state is not None:
                torch.mps.set_rng_state(mps_state)


# Below this many non-zeros of work per product, torch's intra-op threads cost more in
# synchronisation than they save (and stall badly when cores are shared).
SMALL_WORK = 200_000


# torch's random number generator and its thread count belong to the process. Fits and
# predictions running in threads of one process (Dask workers with threads_per_worker > 1,
# joblib's threading backend, a web service) take this lock for their duration, so that
# they give exactly what they give one after the other.
_TORCH_STATE = threading.RLock()


@contextlib.contextmanager
def torch_state():
    """Hold the process's torch state (global RNG, thread count) for one fit or prediction.

    Reentrant: a fit that predicts inside holds it once more.
    """
    with _TORCH_STATE:
        yield


@contextlib.contextmanager
def torch_defaults(training: bool = False):
    """Hold :func:`torch_state` and run under the settings skgraph's tensors assume.

    float32 as the default dtype (a caller's ``torch.set_default_dtype(torch.float64)``
    would build float64 layers beside float32 inputs), restored afterwards; the default
    dtype is process-wide, so it is left alone when it already is float32, and other
    threads should not change it while a fit runs; with
    ``training``, autograd on even inside a caller's ``torch.no_grad()`` or
    ``torch.inference_mode()``.
    """
    with _TORCH_STATE:
        previous = torch.get_default_dtype()
        if previous != torch.float32:  # process-wide: touched only when it must be
            torch.set_default_dtype(torch.float32)
        try:
            if training:
                with torch.inference_mode(False), torch.enable_grad():
                    yield
            else:
                yield
        finally:
            if previous != torch.float32:
                torch.set_default_dtype(previous)


@contextlib.contextmanager
def thread_limit(work_size: int | None):
    """Run small problems single-threaded; leave torch's thread setting alone otherwise.

    Holds :func:`torch_state` while it runs.
    """
    with _TORCH_STATE:
        previous = torch.get_num_threads()
        if work_size is not None and work_size < SMALL_WORK and previous > 1:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch.get_num_threads() != previous:
                torch.set_num_threads(previous)
