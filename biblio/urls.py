"""Anchors and safe links for rendered bibliographies.

Anchor scheme (stable: notebook links and the hub's bibliography page rely on it)
---------------------------------------------------------------------------------
The HTML ``id`` of an entry is its citation key, written as is when every
character is in ``A-Z a-z 0-9 _ . : -``; any other character (and ``~``) is
replaced by ``~`` followed by the upper-case hex of its UTF-8 bytes. So
``Langmuir1926`` stays ``Langmuir1926``, ``alfven:1942`` stays
``alfven:1942`` and ``Smith+Jones 2001`` becomes ``Smith~2BJones~202001``.
The mapping is one-to-one and its output needs no escaping in HTML or in a
URL fragment.

Safe-URL policy
---------------
Only these links are ever produced:

* ``http:`` and ``https:`` URLs with a host;
* DOIs (``10.xxxx/...``, ``doi:10...``, ``https://doi.org/...``), always as
  ``https://doi.org/<doi>``;
* local documents (``file:`` URLs or paths) that resolve, after following
  ``..`` and symbolic links, to a file under the configured documents folder.

Anything else -- ``javascript:``, ``data:``, ``vbscript:``, relative paths
escaping the documents folder, URLs with control characters -- gives ``None``
and is shown as text, never as a link.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

__all__ = ["anchor_id", "key_from_anchor", "safe_url", "doi_url", "document_url",
           "document_paths"]

_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9_.:\-]")
_ANCHOR_ALL_SAFE = re.compile(r"[A-Za-z0-9_.:\-]*\Z")


def anchor_id(key: str) -> str:
    """The HTML id (and URL fragment) of the entry with citation key ``key``."""
    if _ANCHOR_ALL_SAFE.match(key):
        return key
    out = []
    for ch in key:
        if _ANCHOR_SAFE.match(ch):
            out.append(ch)
        else:
            out.append("".join(f"~{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def key_from_anchor(anchor: str) -> str:
    """Inverse of :func:`anchor_id`."""
    if "~" not in anchor:
        return anchor
    data = bytearray()
    i = 0
    while i < len(anchor):
        if anchor[i] == "~" and i + 2 < len(anchor) + 0 and re.fullmatch(r"[0-9A-F]{2}", anchor[i + 1:i + 3]):
            data.append(int(anchor[i + 1:i + 3], 16))
            i += 3
        else:
            data.extend(anchor[i].encode("utf-8"))
            i += 1
    return data.decode("utf-8", errors="replace")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
#: Characters left as they are when re-quoting a URL (RFC 3986 reserved + unreserved + %).
_URL_SAFE = "/:?#[]@!$&'()*+,;=-._~%"


def _has_control(s: str) -> bool:
    return _CONTROL.search(s) is not None


def doi_url(doi: str) -> str | None:
    """``https://doi.org/<doi>`` for a DOI given bare, as ``doi:`` or as a doi.org URL."""
    d = doi.strip()
    low = d.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi:"):
        if low.startswith(prefix):
            d = d[len(prefix):].strip()
            break
    if not d.startswith("10.") or "/" not in d or _has_control(d):
        return None
    return "https://doi.org/" + quote(unquote(d), safe="/:;()._-~")


def safe_url(url: str, documents_dir: str | os.PathLike | None = None) -> str | None:
    """Return ``url`` if its scheme is allowed (see module doc), else ``None``.

    Parameters
    ----------
    url : str
        A URL from a BibTeX field (``url``, ``howpublished``, ...).
    documents_dir : path-like, optional
        Folder under which ``file:`` URLs are allowed.

    Returns
    -------
    str or None
        A URL safe to put in ``href`` (after HTML escaping), or ``None``.
    """
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not u or _has_control(u):
        return None
    m = _SCHEME.match(u)
    if m is None:
        return None
    scheme = m.group(1).lower()
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(u)
        except ValueError:
            return None
        if not parts.hostname:
            return None
        return quote(u, safe=_URL_SAFE)
    if scheme == "doi":
        return doi_url(u)
    if scheme == "file":
        return document_url(u, documents_dir)
    return None


def document_url(ref: str, documents_dir: str | os.PathLike | None) -> str | None:
    """A ``file:`` URL for a local document, only if it lies under ``documents_dir``.

    ``ref`` is a ``file:`` URL, an absolute path or a path relative to
    ``documents_dir``. The file need not exist (a link to a missing document
    is harmless), but ``..`` and symbolic links are resolved before the check.
    """
    if documents_dir is None or not isinstance(ref, str):
        return None
    r = ref.strip()
    if not r or _has_control(r):
        return None
    if r.lower().startswith("file:"):
        try:
            parts = urlsplit(r)
        except ValueError:
            return None
        if parts.netloc not in ("", "localhost"):
            return None
        r = unquote(parts.path)
    elif _SCHEME.match(r) and not re.match(r"[A-Za-z]:[\\/]", r):
        return None  # some other scheme: not a local document
    try:
        root = Path(documents_dir).expanduser().resolve()
        p = Path(r).expanduser()
        if not p.is_absolute():
            p = root / p
        p = p.resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    if p != root and root not in p.parents:
        return None
    return p.as_uri()


def document_paths(entry) -> list[str]:
    """Local document references of an entry (``file``, ``pdf``, ``localfile`` fields).

    Understands JabRef/Zotero ``file`` fields (``Description:path:type;...``).
    """
    refs: list[str] = []
    for name in ("pdf", "localfile", "file"):
        value = entry.text(name) if entry.get(name) is not None else ""
        if not value:
            continue
        for item in value.split(";"):
            item = item.strip()
            if not item:
                continue
            if name == "file" and item.count(":") >= 2 and not item.lower().startswith("file:"):
                # JabRef: description:path:type (a Windows drive letter adds a colon)
                parts = item.split(":")
                item = ":".join(parts[1:-1])
            refs.append(item)
    return refs
