"""The examples run on small generated data and write their pictures."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_writes_its_picture_and_the_embedding_beats_raw_features(tmp_path):
    out = tmp_path / "embedding.png"
    result = _load("demo").main(["--output", str(out), "--nodes", "300", "--epochs", "100"])
    assert out.stat().st_size > 10_000 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["embedding_accuracy"] > result["raw_accuracy"] + 0.1
