import sys

import pytest
import torch

from skgraph._allocator import RETAIN_MEMORY_WORK, _glibc, retain_freed_memory


def test_small_work_and_gpus_leave_the_allocator_alone():
    with retain_freed_memory(torch.device("cpu"), 1000) as active:
        assert active is False
    with retain_freed_memory(torch.device("cuda"), 10 * RETAIN_MEMORY_WORK) as active:
        assert active is False
    with retain_freed_memory(torch.device("cpu"), None) as active:
        assert active is False


@pytest.mark.skipif(not sys.platform.startswith("linux") or _glibc() is None,
                    reason="mallopt is glibc's (Linux) only")
def test_large_cpu_work_keeps_freed_memory_and_restores_on_exit():
    with retain_freed_memory(torch.device("cpu"), RETAIN_MEMORY_WORK) as active:
        assert active is True
        for _ in range(3):  # large blocks now come from the heap and are reused
            block = torch.ones(16 * 2**20)
            assert float(block.sum()) == 16 * 2**20
            del block
    # defaults back: a large allocation still works (and is served by mmap again)
    assert torch.zeros(8 * 2**20).sum() == 0
