"""An SOP version as PDF for printing: the print page (templates/sops/print.html) laid out by
WeasyPrint, its Chinese in the system's CJK fonts (Debian's fonts-noto-cjk), embedded. The
page's stylesheet is read from our static folder; nothing else is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread

STATIC = Path(__file__).resolve().parent.parent / "static"
BASE = "https://tracker.invalid/"


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        """Only our own static files (the stylesheet, the icon); any other address fails."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(BASE + "static/"):
                name = url[len(BASE + "static/") :].split("?")[0]
                path = (STATIC / name).resolve()
                if path.is_relative_to(STATIC) and path.is_file():
                    kind = "text/css" if path.suffix == ".css" else "image/svg+xml"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"not fetched in a PDF: {url}")

    return StaticOnly()


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE, url_fetcher=_fetcher()).write_pdf()  # type: ignore[no-any-return]


async def to_pdf(html: str) -> bytes:
    """The page as PDF, laid out in a worker thread (never on the event loop)."""
    return await anyio.to_thread.run_sync(_pdf, html)
