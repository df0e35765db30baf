"""Malformed input never raises and never loses the good entries (fixed seeds; hypothesis)."""
from __future__ import annotations

import random
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biblio.cite import link_markdown
from biblio.latex import latex_to_text
from biblio.parse import load, parse_text
from biblio.render import render_entry_html, render_html

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "bibliography.bib"
_ENTRY_HEAD = re.compile(r"^@(?!string)(\w+)\{([^,\s]+),", re.M | re.I)


def _entries_with_spans(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of every entry of a well-formed file (end = after its closing brace)."""
    heads = list(_ENTRY_HEAD.finditer(text))
    spans = []
    for m in heads:
        depth, i = 0, text.index("{", m.start())
        for j in range(i, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    spans.append((m.group(2), m.start(), j + 1))
                    break
    return spans


def _sources(shared_data) -> list[str]:
    return [DEMO.read_text(encoding="utf-8"),
            (shared_data / "bibtex" / "plasmapy-bibliography.bib").read_text(encoding="utf-8")]


def test_truncations_keep_every_complete_entry(shared_data):
    rng = random.Random(20261125)
    for text in _sources(shared_data):
        spans = _entries_with_spans(text)
        assert len(spans) == len(parse_text(text))
        for _ in range(40):
            cut = rng.randrange(len(text))
            bib = parse_text(text[:cut], "cut.bib")
            complete = [k for k, a, b in spans if b <= cut]
            loaded = {e.key for e in bib}
            assert set(complete) <= loaded, (cut, set(complete) - loaded)
            assert len(bib) <= len(complete) + 1
            render_html(bib)


def test_random_brace_damage_loses_at_most_the_damaged_entries(shared_data):
    rng = random.Random(7)
    for text in _sources(shared_data):
        spans = _entries_with_spans(text)
        for _ in range(60):
            chars = list(text)
            hits = []
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(len(chars))
                op = rng.random()
                if op < 0.4:
                    chars.insert(pos, "{")
                elif op < 0.8:
                    chars.insert(pos, "}")
                else:
                    braces = [i for i, c in enumerate(chars) if c in "{}"]
                    pos = rng.choice(braces)
                    del chars[pos]
                hits.append(pos)
            damaged = "".join(chars)
            bib = parse_text(damaged, "damaged.bib")
            # each damage point ruins at most its own entry and the next one
            assert len(bib) >= len(spans) - 2 * len(hits), (len(bib), len(spans), hits)
            for p in bib.problems:
                assert p.file == "damaged.bib" and (p.line is None or 1 <= p.line <= damaged.count("\n") + 1)
            render_html(bib)


def test_binary_junk_and_huge_fields(tmp_path):
    rng = random.Random(99)
    base = DEMO.read_bytes()
    n_good = len(load([DEMO]))
    for i in range(15):
        data = bytearray(base)
        for _ in range(rng.randint(1, 5)):
            pos = rng.randrange(len(data))
            data[pos:pos] = rng.randbytes(rng.randint(1, 300))
        p = tmp_path / f"junk{i}.bib"
        p.write_bytes(bytes(data))
        bib = load([p])
        assert len(bib) >= n_good - 10
        render_html(bib)
    pure = tmp_path / "random.bin"
    pure.write_bytes(rng.randbytes(200_000))
    bib = load([pure])
    assert any(pr.kind == "encoding" for pr in bib.problems)
    render_html(bib)
    nul = tmp_path / "nul.bib"
    nul.write_bytes(b"\x00" * 1000 + b"@misc{k, title={ok\x00}}\n" + b"\xff\xfe" * 10)
    assert [e.key for e in load([nul])] == ["k"]


def test_huge_and_deeply_nested_fields():
    big = "x" * 2_000_000
    deep = "{" * 5000 + "deep" + "}" * 5000
    emph = "\\emph{" * 3000 + "e" + "}" * 3000
    accents = "\\'{e}" * 20000
    text = (f"@misc{{big, title={{{big}}}}}\n@misc{{deep, title={deep}}}\n@misc{{emph, title={{{emph}}}}}\n"
            f"@misc{{acc, title={{{accents}}}}}\n@misc{{after, title={{Still here}}}}\n")
    bib = parse_text(text)
    assert [e.key for e in bib] == ["big", "deep", "emph", "acc", "after"]
    assert len(bib["big"].title) == 2_000_000
    assert bib["deep"].title == "deep"
    assert "e" in bib["emph"].title
    assert bib["acc"].title == "é" * 20000
    html = render_html(bib)
    assert "Still here" in html
    for e in bib:
        render_entry_html(e)


_BIB_ALPHABET = st.sampled_from(list("@{}\"#,=\\ \n\t%()abcdeAZ019_-:'`^~$&éü") +
                                ["@article{", "@string{", "@comment{", "@preamble{", "author = ", "title = ",
                                 " and ", "crossref = ", "{\\\"o}", "\\url{", "javascript:", "<script>",
                                 "\x00", "\ud7ff", "\U0001f600"])


@given(st.lists(_BIB_ALPHABET, max_size=200).map("".join))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_hypothesis_any_text_parses_and_renders(text):
    bib = parse_text(text, "h.bib")
    html = render_html(bib)
    assert "<script>" not in html
    for e in bib:
        render_entry_html(e)
        link_markdown(f"\\citep[{e.key}]", bib)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_hypothesis_latex_to_text_never_raises(value):
    out = latex_to_text(value)
    assert isinstance(out, str)


@given(st.lists(_BIB_ALPHABET, max_size=120).map("".join))
@settings(max_examples=150, deadline=None)
def test_hypothesis_link_markdown_never_raises(text):
    bib = parse_text("@misc{a, title={A}}\n@misc{b, title={B}}")
    out = link_markdown("\\citep[" + text + "] \\citep{a," + text + "} " + text, bib)
    assert isinstance(out, str)
