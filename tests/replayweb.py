"""ReplayWeb.page for replay tests: finding its npm package and serving it beside a WACZ.

`make setup-test` unpacks the `replaywebpage` npm package (REPLAYWEB_VERSION) into `.replayweb/`
beside this repository; `CAPTURE_REPLAYWEB_DIR` names another folder holding its `ui.js` and
`sw.js`. `ReplayWebSite` serves, on 127.0.0.1, a page embedding `<replay-web-page>`, `ui.js`,
`replay/sw.js` (the service worker's scope `replay/` is ReplayWeb.page's default) and the WACZ
files given, with the byte-range requests ReplayWeb.page makes into a WACZ.
"""

from __future__ import annotations

import html
import http.server
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REPLAYWEB_VERSION = "2.5.3"
PAGE = "/index.html"
_TYPES = {".js": "application/javascript", ".html": "text/html; charset=utf-8"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def replayweb_dir() -> Path | None:
    """Return the folder holding ReplayWeb.page's `ui.js` and `sw.js`, or None if not installed."""
    override = os.environ.get("CAPTURE_REPLAYWEB_DIR")
    folder = Path(override) if override else REPO / ".replayweb" / "package"
    if all((folder / name).is_file() for name in ("ui.js", "sw.js")):
        return folder
    return None


def embed_page(source: str, url: str) -> bytes:
    """Return the HTML page a user writes to show url from the WACZ at source."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>replay</title>"
        "<script src='/ui.js'></script></head>"
        "<body style='margin:0'>"
        f"<replay-web-page source='{html.escape(source)}' url='{html.escape(url)}' "
        "style='display:block;width:1200px;height:900px'></replay-web-page>"
        "</body></html>"
    ).encode()


class ReplayWebSite:
    """A 127.0.0.1 server for ReplayWeb.page and WACZ files; the embedding page is `PAGE`."""

    def __init__(self, package: Path, waczs: Mapping[str, Path], page: bytes) -> None:
        """Serve package's ui.js and sw.js, each of waczs at `/<name>`, and page at `PAGE`."""
        self.files: dict[str, Path | bytes] = {
            "/ui.js": package / "ui.js",
            "/replay/sw.js": package / "sw.js",
            PAGE: page,
        }
        self.files.update({f"/{name}": path for name, path in waczs.items()})
        self.requests: list[str] = []
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return `http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ReplayWebSite:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _handler(site: ReplayWebSite) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self._reply(with_body=False)

        def do_GET(self) -> None:
            self._reply(with_body=True)

        def _reply(self, *, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            site.requests.append(f"{self.command} {self.path} {self.headers.get('Range') or ''}")
            found = site.files.get(path)
            if found is None:
                self.send_error(404)
                return
            data = found if isinstance(found, bytes) else found.read_bytes()
            start, end, status = 0, len(data), 200
            wanted = _RANGE.match(self.headers.get("Range") or "")
            if wanted and (wanted[1] or wanted[2]):
                if wanted[1]:
                    start = int(wanted[1])
                    end = min(int(wanted[2]) + 1, len(data)) if wanted[2] else len(data)
                else:
                    start = max(len(data) - int(wanted[2]), 0)
                status = 206
            self.send_response(status)
            self.send_header("Content-Type", _TYPES.get(Path(path).suffix, "application/zip"))
            self.send_header("Content-Length", str(end - start))
            self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(data[start:end])

    return Handler
