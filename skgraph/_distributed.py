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
timeout), and a peer that disconnects fails them at once.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

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
    return datetime.timedelta(seconds=float(os.environ.get("SKGRAPH_DISTRIBUTED_TIMEOUT", 300)))


def distributed_context(device: torch.device) -> DistributedContext | None:
    """The data-parallel context of this process, or None for a fit of its own.

    Uses the default process group when one exists; otherwise creates it from torchrun's
    environment when ``WORLD_SIZE`` is above 1. A world of one trains alone.
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized():
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world < 2 or "RANK" not in os.environ or "MASTER_ADDR" not in os.environ:
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
