"""Data-parallel training with torch.distributed: every rank a share of each epoch's batches.

Under ``torchrun --nproc_per_node=N`` (or any launcher that sets ``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT``), a fit finds the process group (set up by the user with
``torch.distributed.init_process_group``, or here from that environment: gloo on CPU, nccl
on CUDA) and trains data-parallel: the parameters start as rank 0's, every rank draws the
same shuffled order of batches and runs its share of them (the last ones padded by wrapping
around, so that every rank takes as many steps), and each optimizer step averages the
gradients over the ranks with one ``all_reduce`` of the flat gradient buffer (the bucketed
all-reduce of ``DistributedDataParallel``, with a single bucket). Every rank then holds the
same weights and loss curve; save from rank 0.

A rank that dies or stalls makes the others fail with :class:`DistributedTrainingError`
instead of waiting forever: the collectives time out after ``SKGRAPH_DISTRIBUTED_TIMEOUT``
seconds (default 300) when skgraph creates the group (the user's own group keeps its own
timeout), and a peer that disconnects fails them at once. Every rank must fit the same
estimator on the same data: ranks whose parameters, data sizes or network shapes differ
all fail at the start of training with a ``ValueError`` naming the difference.

A process that a rank starts (a joblib worker of a search with ``n_jobs > 1``) inherits the
launcher's environment but is no rank: its fits train alone, as outside torchrun.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

__all__ = ["DistributedContext", "DistributedTrainingError", "distributed_context", "share_of"]


class DistributedTrainingError(RuntimeError):
    """Another rank of a data-parallel fit died, stalled or disconnected."""


@dataclass
class DistributedContext:
    """This process's place in a data-parallel fit."""

    rank: int
    world_size: int
    device: torch.device = torch.device("cpu")  # where the collectives run (nccl: the GPU)

    def share(self, n_batches: int) -> list[int]:
        """The batches (indices into one epoch's order) this rank runs: every
        ``world_size``-th from ``rank``, as many on every rank (wrapping around)."""
        steps = -(-n_batches // self.world_size)
        return [(step * self.world_size + self.rank) % n_batches for step in range(steps)]

    def all_reduce(self, tensor: torch.Tensor, *, average: bool = True) -> torch.Tensor:
        """Sum (or average) ``tensor`` over the ranks, in place.

        A tensor elsewhere than the training device (the loss, the seed, the stop flag: CPU
        scalars) is reduced on that device and copied back: a nccl group has no CPU backend.
        """
        staged = tensor if tensor.device == self.device else tensor.to(self.device)
        try:
            dist.all_reduce(staged)
        except Exception as exc:  # gloo/nccl raise RuntimeError (or a subclass) on failure
            raise DistributedTrainingError(
                f"rank {self.rank} of {self.world_size} lost the other ranks during training "
                f"(one died, stalled past the timeout or disconnected): {exc}") from exc
        if staged is not tensor:
            tensor.copy_(staged)
        if average:
            tensor /= self.world_size
        return tensor

    def agree(self, facts: dict[str, Any]) -> None:
        """Raise on every rank, naming the difference, unless all ranks have the same
        ``facts`` (compared by ``repr``): ranks fitting different parameters or data would
        break the collectives mid-training (a size error that aborts one process, a lost
        peer in the others) or train on different schedules."""
        mine = {key: repr(value) for key, value in facts.items()}
        everyone: list[Any] = [None] * self.world_size
        try:
            dist.all_gather_object(everyone, mine)
        except Exception as exc:
            raise DistributedTrainingError(
                f"rank {self.rank} of {self.world_size} could not compare its fit with the "
                f"other ranks' (one died, stalled past the timeout or disconnected): {exc}"
            ) from exc
        for key in mine:
            values = [facts_of_rank.get(key) for facts_of_rank in everyone]
            if len(set(values)) > 1:
                listed = "; ".join(f"rank {rank}: {value}" for rank, value in enumerate(values))
                raise ValueError(
                    f"the ranks of a data-parallel fit differ in {key} ({listed}); every rank "
                    "must fit the same estimator on the same data (skgraph gives each rank "
                    "its share of the batches).")

    def broadcast_parameters(self, module: torch.nn.Module) -> None:
        """Give every rank rank 0's parameters and buffers."""
        try:
            for tensor in [*module.parameters(), *module.buffers()]:
                data = tensor.data
                if data.is_contiguous():
                    dist.broadcast(data, src=0)
                else:  # an input-major weight: NCCL takes contiguous tensors only
                    staged = data.contiguous()
                    dist.broadcast(staged, src=0)
                    data.copy_(staged)
        except Exception as exc:
            raise DistributedTrainingError(
                f"rank {self.rank} could not receive the initial parameters: {exc}") from exc


def _timeout() -> datetime.timedelta:
    given = os.environ.get("SKGRAPH_DISTRIBUTED_TIMEOUT", "300")
    try:
        seconds = float(given)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"SKGRAPH_DISTRIBUTED_TIMEOUT must be a positive number of seconds, "
                         f"got {given!r}.")
    return datetime.timedelta(seconds=seconds)


_RANK_PROCESS = "SKGRAPH_RANK_PROCESS"


def _mark_rank_process() -> None:
    """Under a launcher (``RANK`` set), note in the environment which process it started for
    this rank; processes the rank starts later inherit the note and so know they are not."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        os.environ.setdefault(_RANK_PROCESS, f"{os.environ['RANK']}:{os.getpid()}")


def _is_rank_process() -> bool:
    note = os.environ.get(_RANK_PROCESS)
    return note is None or note == f"{os.environ.get('RANK')}:{os.getpid()}"


_mark_rank_process()


def distributed_context(device: torch.device) -> DistributedContext | None:
    """The data-parallel context of this process, or None for a fit of its own.

    Uses the default process group when one exists; otherwise creates it from torchrun's
    environment when ``WORLD_SIZE`` is above 1. A world of one trains alone.
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized():
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if (world < 2 or "RANK" not in os.environ or "MASTER_ADDR" not in os.environ
                or not _is_rank_process()):  # (a worker process of a rank trains alone)
            return None
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group(backend, timeout=_timeout())
    if dist.get_world_size() < 2:
        return None
    return DistributedContext(dist.get_rank(), dist.get_world_size(), device)


def share_of(batches: list, distributed: DistributedContext | None) -> list:
    """``batches``, or this rank's share of them in a data-parallel fit."""
    if distributed is None or not batches:
        return batches
    return [batches[i] for i in distributed.share(len(batches))]
