"""Screenshots of the built documentation, for a maintainer to look at (no test runs this).

Build the site first, then point this script at a folder for the pictures::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
    python docs/screenshots.py /tmp/skgraph-screenshots

It serves ``docs/_build/html`` on 127.0.0.1 (a free port) with Python's ``http.server`` in
a thread, and has headless Chromium (Debian's package: ``apt-get install chromium``) take a
1280 x 1600 picture of each page: by default the landing page and one page of the example
gallery (``--pages`` chooses others, e.g. ``auto_examples/index.html`` for the
thumbnails). Each page gets a fresh, throw-away Chromium profile, and Chromium is kept off
the network (no sync, updates or background requests): it only loads the local server.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HTML = Path(__file__).resolve().parent / "_build" / "html"
DEFAULT_PAGES = ["index.html", "auto_examples/demo.html"]
PNG = b"\x89PNG\r\n\x1a\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def chromium_screenshot(chromium: str, url: str, output: Path, *, width: int = 1280,
                        height: int = 1600, timeout: float = 120) -> None:
    """Have headless Chromium load ``url`` and write a PNG of the window to ``output``."""
    with tempfile.TemporaryDirectory(prefix="skgraph-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                   f"--user-data-dir={profile}", f"--window-size={width},{height}",
                   f"--screenshot={output}", url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                check=False)
    if result.returncode != 0 or not output.is_file():
        raise RuntimeError(f"chromium failed on {url} (exit {result.returncode}):\n"
                           f"{result.stderr[-2000:]}")
    if output.read_bytes()[:8] != PNG:
        raise RuntimeError(f"{output} is not a PNG")


def main(argv=None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder for the PNG files")
    parser.add_argument("--html", type=Path, default=HTML,
                        help=f"the built site (default: {HTML})")
    parser.add_argument("--pages", nargs="+", default=DEFAULT_PAGES,
                        help="pages to photograph, relative to the site "
                             f"(default: {' '.join(DEFAULT_PAGES)})")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium",
                        help="the Chromium binary")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args(argv)

    if not (args.html / "index.html").is_file():
        parser.error(f"no built site in {args.html}: build the docs first")
    if not Path(args.chromium).is_file():
        parser.error(f"no Chromium at {args.chromium} (apt-get install chromium)")
    missing = [page for page in args.pages if not (args.html / page).is_file()]
    if missing:
        parser.error(f"not in the built site: {missing}")
    args.output_dir.mkdir(parents=True, exist_ok=True)

    handler = functools.partial(_QuietHandler, directory=str(args.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    written = []
    try:
        for page in args.pages:
            url = f"http://127.0.0.1:{server.server_port}/{page}"
            output = args.output_dir / (page.removesuffix(".html").replace("/", "_") + ".png")
            chromium_screenshot(args.chromium, url, output.resolve(), width=args.width,
                                height=args.height)
            print(f"{url} -> {output} ({output.stat().st_size // 1024} kB)")
            written.append(output)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return written


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        sys.exit(str(error))
