"""The README's runnable examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_runnable_readme_blocks_run():
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
              if b.startswith("# runnable")]
    assert blocks, "the README has no runnable example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_the_comparison_rows_agree():
    """The README's and the user guide's tables of alternatives describe skgraph alike."""
    guide = README.parent / "docs" / "user_guide" / "alternatives.md"

    def row(path):
        return next(line for line in path.read_text().splitlines()
                    if line.startswith("| **skgraph** |"))

    assert row(README) == row(guide)
