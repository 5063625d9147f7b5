"""Time in-process renders of one variant: `python render_time.py <variant> [repeat]`.

Prints the median and the fastest of `repeat` renders, each into a fresh temp dir.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import render
from variants import VARIANTS


def main(variant: str, repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as workdir:
            start = time.perf_counter()
            render(Path(workdir) / "project", VARIANTS[variant])
            samples.append(time.perf_counter() - start)
    print(
        f"render {variant} in-process: median {statistics.median(samples):.2f} s, best {min(samples):.2f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
