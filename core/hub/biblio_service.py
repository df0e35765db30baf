"""The lab's bibliography as a JupyterHub service page (hub-authenticated).

Started by the hub (``python -m core.hub.biblio_service``) with the standard service
environment (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, the API token and
OAuth client of the service). It serves, under ``/services/bibliography/``:

* ``index.html`` (and the prefix itself): the page rendered by :func:`biblio.render.render_html`,
  whose entry anchors are the ones ``\\citep`` links point to
  (``https://hub.lab/services/bibliography/index.html#Merlino2007``);
* ``oauth_callback``: the end of the hub's OAuth login.

Only users logged in to the hub (with ``access:services!service=bibliography``, given to
every user by the hub's config) see it; others are sent to the hub's login page. The
``.bib`` files (``GILGAMESH_BIB_FILES``, a JSON list) are re-read when they change. Local
document links are never made: the page is served to browsers elsewhere.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger("gilgamesh.bibliography")

#: No scripts, no framing by other sites, nothing loaded from elsewhere.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"


class BibliographyPage:
    """The rendered page, re-rendered when a ``.bib`` file changes."""

    def __init__(self, files: list[str], strings: list[str] = ()):
        self.files = [Path(f).expanduser() for f in files]
        self.strings = [Path(f).expanduser() for f in strings]
        self._stamp = None
        self._html = ""

    def _current_stamp(self):
        out = []
        for p in (*self.files, *self.strings):
            try:
                st = p.stat()
                out.append((str(p), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(p), None, None))
        return tuple(out)

    def html(self) -> str:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            from biblio.parse import load
            from biblio.render import render_html

            bib = load(self.files, string_files=self.strings)
            self._html = render_html(bib, title="Lab bibliography")
            self._stamp = stamp
        return self._html


def make_app(page: BibliographyPage, prefix: str):
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from jupyterhub.utils import url_path_join
    from tornado import web

    class PageHandler(HubOAuthenticated, web.RequestHandler):
        def set_default_headers(self):
            self.set_header("Content-Security-Policy", CSP)
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("Referrer-Policy", "same-origin")

        @web.authenticated
        def get(self):
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.write(page.html())

    return web.Application([
        (prefix, PageHandler),
        (url_path_join(prefix, "index.html"), PageHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))


def main() -> None:
    from tornado.ioloop import IOLoop

    logging.basicConfig(level=logging.INFO, format="[bibliography] %(levelname)s %(message)s")
    page = BibliographyPage(json.loads(os.environ.get("GILGAMESH_BIB_FILES", "[]")),
                            json.loads(os.environ.get("GILGAMESH_BIB_STRINGS", "[]")))
    page.html()  # fail early on an unreadable setup; problems in the files are shown, not fatal
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app(page, prefix)
    app.listen(url.port, url.hostname)
    log.info("serving %d file(s) at %s", len(page.files), prefix)
    IOLoop.current().start()


if __name__ == "__main__":
    main()
