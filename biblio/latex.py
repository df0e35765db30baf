"""LaTeX-to-Unicode conversion of BibTeX field values, for display.

Most BibTeX values use a small vocabulary: braces that protect case,
accent macros (``{\\"o}``, ``\\'{e}``), a handful of symbols (``\\ss``,
``\\&``) and text-formatting commands (``\\emph{...}``). :func:`latex_to_text`
converts that vocabulary with a fast table-driven scanner and hands anything
else (math, unknown macros, malformed groups) to :mod:`pylatexenc`, whose
output is the reference. Results are cached: authors, journals and
publishers repeat across a library.
"""
from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["latex_to_text", "strip_braces"]

#: Accent macros and the Unicode combining character each one adds.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
}

#: Argument-less macros that stand for one character or a short text.
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð",
    "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", ",": "\u2009", ";": "\u2005", "!": "", "-": "", "/": "", "@": "",
    "textendash": "\u2013", "textemdash": "\u2014", "ldots": "\u2026",
    "dots": "\u2026", "textellipsis": "\u2026", "LaTeX": "LaTeX", "TeX": "TeX",
    "BibTeX": "BibTeX", "textregistered": "\u00ae", "copyright": "\u00a9",
    "textcopyright": "\u00a9", "texttrademark": "\u2122", "textdegree": "\u00b0",
    "textquoteleft": "\u2018", "textquoteright": "\u2019", "guillemotleft": "\u00ab",
    "guillemotright": "\u00bb", "textbackslash": "\\", "slash": "/",
    "relax": "", "protect": "", "nobreakspace": "\u00a0", "quad": " ", "qquad": " ",
}

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
          "tau upsilon phi chi psi omega").split()
_GREEK_UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
_SYMBOLS.update(zip(_GREEK, "αβγδϵζηθικλμνξπρστυϕχψω"))  # as pylatexenc: \\epsilon=ϵ, \\phi=ϕ
_SYMBOLS.update({name: {"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
                        "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}[name]
                 for name in _GREEK_UPPER})
_SYMBOLS.update({
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς", "varpi": "ϖ",
    "times": "×", "pm": "±", "mp": "∓", "cdot": "⋅", "approx": "≈", "sim": "∼", "simeq": "≃",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "ll": "≪", "gg": "≫",
    "infty": "∞", "propto": "∝", "partial": "∂", "nabla": "∇", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "leftrightarrow": "↔", "Rightarrow": "⇒", "circ": "∘", "prime": "′",
    "langle": "⟨", "rangle": "⟩", "perp": "⊥", "parallel": "∥", "hbar": "ħ", "ell": "ℓ",
    "sqrt": "√", "AA": "Å", "ohm": "Ω", "deg": "deg", "log": "log", "ln": "ln", "exp": "exp",
    "sin": "sin", "cos": "cos", "tan": "tan",
})
#: Old-style switches (``{\it text}``): dropped, their group keeps the text.
_SWITCHES = {"it", "bf", "em", "rm", "sc", "sf", "tt", "sl", "normalfont", "itshape", "bfseries",
             "scshape", "upshape", "slshape", "mdseries", "rmfamily", "sffamily", "ttfamily",
             "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large", "LARGE",
             "huge", "Huge", "displaystyle", "textstyle", "left", "right", "big", "Big"}

#: One-argument macros whose argument is kept as text.
_KEEP_ARG = {
    "textit", "emph", "textbf", "textrm", "textsc", "textsf", "texttt", "textup",
    "textsl", "textmd", "textnormal", "mbox", "hbox", "text", "uppercase",
    "MakeUppercase", "lowercase", "MakeLowercase", "url", "path", "nolinkurl",
    "textsuperscript", "textsubscript", "ensuremath", "mathrm", "mathit", "mathbf", "mathsf",
    "mathtt", "mathcal", "mathnormal", "operatorname", "boldsymbol", "bm", "textup", "mathbb",
}

#: One-argument macros whose argument is dropped (sorting hints).
_DROP_ARG = {"noopsort", "sortkey", "SortNoop"}

_TOKEN = re.compile(r"\\([A-Za-z]+)(\s*)|\\(.)|([{}~])|(---?|``|'')|(\$)|(%)", re.S)
_CONTROL_SEQ = re.compile(r"\\([A-Za-z]+|.)", re.S)
_FAST_CANDIDATE = re.compile(r"[\\{}~$%]|--|``|''")
_PUNCT = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d"}


class _Fallback(Exception):
    """The fast scanner met something it does not handle."""


def _read_group(s: str, pos: int) -> tuple[str, int]:
    """Return the raw text of the ``{...}`` group starting at ``s[pos]`` and the index after it."""
    depth = 0
    for i in range(pos, len(s)):
        c = s[i]
        if c == "\\":
            continue
        if c == "{" and (i == 0 or s[i - 1] != "\\"):
            depth += 1
        elif c == "}" and (i == 0 or s[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return s[pos + 1:i], i + 1
    raise _Fallback()


def _read_arg(s: str, pos: int) -> tuple[str, int]:
    """Read one macro argument (a group or a single token) at ``pos`` (spaces skipped)."""
    while pos < len(s) and s[pos] == " ":
        pos += 1
    if pos >= len(s):
        raise _Fallback()
    if s[pos] == "{":
        return _read_group(s, pos)
    if s[pos] == "\\":
        m = _CONTROL_SEQ.match(s, pos)
        if m is None:
            raise _Fallback()
        return m.group(0), m.end()
    if s[pos] == "}":
        raise _Fallback()
    return s[pos], pos + 1


def _accent(mark: str, arg: str) -> str:
    base = _fast(arg)
    if base[:1] in ("\u0131", "\u0237"):  # accented dotless i/j: the accent replaces the dot
        base = {"\u0131": "i", "\u0237": "j"}[base[0]] + base[1:]
    if not base:
        return unicodedata.normalize("NFC", " " + mark).strip() or mark
    return unicodedata.normalize("NFC", base[0] + mark + base[1:])


def _fast(s: str) -> str:
    """Convert ``s`` with the table-driven scanner; raise :class:`_Fallback` if unsure."""
    out: list[str] = []
    pos = 0
    depth = 0
    math = False
    n = len(s)
    while pos < n:
        m = _TOKEN.search(s, pos)
        if m is None:
            out.append(s[pos:])
            break
        out.append(s[pos:m.start()])
        pos = m.end()
        name, space, sym, brace, dash, dollar, pct = m.groups()
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth < 0:
                raise _Fallback()
        elif brace == "~":
            out.append("\u00a0")
        elif dash:
            out.append(_PUNCT[dash])
        elif dollar:
            math = not math  # math shift: math is kept as written (macros converted, braces dropped)
        elif pct:
            raise _Fallback()
        elif sym is not None:
            if sym in _ACCENTS:
                arg, pos = _read_arg(s, pos)
                out.append(_accent(_ACCENTS[sym], arg))
            elif sym in _SYMBOLS:
                out.append(_SYMBOLS[sym])
            elif sym == "\\":
                out.append(" ")
            else:
                raise _Fallback()
        else:
            if name in _ACCENTS and len(name) == 1:
                arg, pos = _read_arg(s, pos)
                out.append(_accent(_ACCENTS[name], arg))
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name] + (" " if math and space else ""))
                # a control word eats the following spaces; "{\ss}" needs nothing more
            elif name in _KEEP_ARG:
                arg, pos = _read_arg(s, pos)
                out.append(arg if name in ("url", "path", "nolinkurl") else _fast(arg))
            elif name in _SWITCHES:
                pass
            elif name in _DROP_ARG:
                _, pos = _read_arg(s, pos)
            elif name == "href":
                _, pos = _read_arg(s, pos)
                arg, pos = _read_arg(s, pos)
                out.append(_fast(arg))
            else:
                raise _Fallback()
    if depth != 0:
        raise _Fallback()
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _pylatexenc():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _normalize_space(s: str) -> str:
    return " ".join(s.split())


@functools.lru_cache(maxsize=65536)
def latex_to_text(value: str) -> str:
    """Convert a LaTeX field value to readable Unicode.

    Parameters
    ----------
    value : str
        A BibTeX field value with its outer delimiters removed
        (e.g. ``Schr{\\"o}dinger's {Plasma}``).

    Returns
    -------
    str
        Plain Unicode text with runs of white space collapsed
        (``Schrödinger's Plasma``). Never raises: a value pylatexenc cannot
        parse is returned with its braces stripped.
    """
    if not value:
        return ""
    if _FAST_CANDIDATE.search(value) is None:
        return _normalize_space(value)
    try:
        text = _fast(value)
    except (_Fallback, RecursionError):
        try:
            text = _pylatexenc().latex_to_text(value)
        except Exception:  # noqa: BLE001 - malformed LaTeX: show it raw rather than fail
            text = strip_braces(value)
    return _normalize_space(text.replace("\u00a0", " "))


def strip_braces(value: str) -> str:
    """Remove unescaped ``{`` and ``}`` from ``value`` (keeps ``\\{`` and ``\\}``)."""
    return re.sub(r"(?<!\\)[{}]", "", value)
