"""HTML pieces of the report: escaping, numbers, inline Markdown, tables and figures."""

from __future__ import annotations

import base64
import html
import io
import re
from typing import Any

from sim.numbers import fmt_number

DPI = 130


def esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def fmt(x: Any, digits: int = 3) -> str:
    """A number for the report; text that is not a number is escaped as it is."""
    try:
        return fmt_number(x, digits)
    except (TypeError, ValueError):
        return esc(x)


def md_inline(text: str) -> str:
    """Escape, then render the inline Markdown used in the docs (code, bold, italics)."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return out


def figure_png(fig) -> str:
    from sim.plots.style import save

    buf = io.BytesIO()
    import matplotlib

    with matplotlib.rc_context({"savefig.dpi": DPI}):
        save(fig, buf, "png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(name: str, caption: str, data: str) -> str:
    return (f'<figure id="fig-{esc(name)}"><img alt="{esc(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{esc(caption)}</figcaption>'
            f"</figure>")


def table(head: list[str], rows: list[list[str]], num: set[int] | None = None,
           cls: str = "") -> str:
    num = num or set()
    th = "".join(f'<th class="num">{h}</th>' if i in num else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    body = []
    for r in rows:
        tds = "".join(f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>"
                      for i, c in enumerate(r))
        body.append(f"<tr>{tds}</tr>")
    return (f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}'
            f"</tbody></table>")

