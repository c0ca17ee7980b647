"""HTML skeleton and CSS of the report (self-contained: no external files, no scripts)."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1d2329; --muted: #5b6670; --rule: #d8dde2; --soft: #f4f6f8; --accent: #0072B2;
  --good: #009E73; --bad: #D55E00;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45;
}
main { max-width: 1120px; margin: 0 auto; padding: 28px 36px 60px; }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
header.cover .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem;
  color: var(--accent); font-weight: 700; }
h1 { font-size: 1.75rem; margin: .2rem 0 .35rem; line-height: 1.2; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p { margin: .45rem 0 .7rem; }
.meta { color: var(--muted); font-size: .9rem; }
.meta span + span::before { content: " · "; }
nav.toc { background: var(--soft); border: 1px solid var(--rule); border-radius: 6px;
  padding: 10px 16px; font-size: .9rem; margin: 14px 0 6px; }
nav.toc ol { margin: 4px 0 0 0; padding-left: 1.2rem; columns: 2; column-gap: 2.5rem; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.glance { display: grid; grid-template-columns: repeat(auto-fit, minmax(195px, 1fr));
  gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--accent); border-radius: 4px;
  padding: 8px 12px; background: #fff; }
.card .label { font-size: .78rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
.card .value { font-size: 1.15rem; font-weight: 700; }
.card .sub { font-size: .82rem; color: var(--muted); }
.note { background: var(--soft); border-left: 3px solid var(--rule); padding: 8px 12px;
  font-size: .88rem; color: #333; }
.warn { border-left-color: var(--bad); }
figure { margin: 16px 0 22px; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #eef0f2; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: 4px; }
table { border-collapse: collapse; width: 100%; font-size: .84rem; margin: 8px 0 14px; }
thead th { background: var(--soft); text-align: left; font-weight: 700;
  border-bottom: 2px solid var(--rule); }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.section td { background: #fafbfc; font-weight: 700; }
.better { color: var(--good); font-weight: 600; }
.worse { color: var(--bad); font-weight: 600; }
.best { font-weight: 700; }
.small { font-size: .8rem; }
pre { background: var(--soft); border: 1px solid var(--rule); border-radius: 4px;
  padding: 10px 12px; font-size: .78rem; overflow-x: auto; white-space: pre-wrap;
  word-break: break-word; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .88em; }
blockquote { margin: 8px 0; padding: 6px 14px; border-left: 3px solid var(--accent);
  background: #fbfcfd; white-space: pre-wrap; font-size: .85rem; color: #333; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; font-size: .88rem; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--rule);
  font-size: .8rem; color: var(--muted); }
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { break-after: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2.newpage { break-before: page; page-break-before: always; }
  table, figure, .card, pre, blockquote { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  figure img { border: none; }
  .glance { grid-template-columns: repeat(3, 1fr); }
}
"""


def page(title: str, body: str, lang: str = "en") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="sim report">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
