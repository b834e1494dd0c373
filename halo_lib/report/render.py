"""Executed notebook -> self-contained HTML report (code hidden, figures embedded), and ``reports/index.html``."""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
from pathlib import Path

from halo_lib.atomic import write_text_atomic
from halo_lib.errors import HaloError
# nbformat, nbconvert, halo_lib.recipe and halo_lib.report.tables (numpy, scipy, pandas) are imported lazily, in the
# functions that use them: importing this module stays light.

SECRET_ENV = ("OPENAI_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "ANTHROPIC_API_KEY")
"""Environment variables whose values never reach a report (scrubbed from notebooks and HTML)."""
_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\ssrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE)
_BANNER_STYLE = ("background:#b00020;color:#fff;padding:10px 16px;font:bold 15px sans-serif;"
                 "position:sticky;top:0;z-index:10")


def scrub_secrets(text: str) -> str:
    """Replace the value of every secret environment variable in ``text`` (keys of 8+ characters)."""
    for name in SECRET_ENV:
        value = os.environ.get(name, "").strip()
        if len(value) >= 8:
            text = text.replace(value, f"<{name} hidden>")
    return text


def scrub_notebook(path: str | Path) -> None:
    """Scrub secrets from an executed notebook in place (atomically)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    clean = scrub_secrets(text)
    if clean != text:
        write_text_atomic(path, clean)


def notebook_to_html(ipynb: str | Path, html_path: str | Path, title: str | None = None,
                     banner: str | None = None) -> Path:
    """Render an executed notebook as one self-contained HTML file: no code cells, no prompts, no stderr noise,
    figures inline (base64), no external scripts; ``banner`` (e.g. the benchmark mark) pinned at the top."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or Path(ipynb).stem}})
    body = _EXTERNAL_SCRIPT.sub("", body)  # require.js / MathJax from a CDN: a report must open offline
    if banner:
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + f'<div class="halo-banner" style="{_BANNER_STYLE}">'
                      f"{html.escape(banner)}</div>", body, count=1)
    html_path = Path(html_path)
    write_text_atomic(html_path, scrub_secrets(body))
    _readable(html_path)
    return html_path


def _readable(path: Path) -> None:
    """write_text_atomic's temp files are 0600: reports are for reading (served, shared)."""
    try:
        path.chmod(0o644)
    except OSError:
        pass


def write_meta(html_path: str | Path, **meta) -> Path:
    """The sidecar ``<report>.meta.json`` the index is built from."""
    path = Path(html_path).with_suffix(".meta.json")
    write_text_atomic(path, json.dumps({"html": Path(html_path).name, **meta}, indent=2, default=str))
    _readable(path)
    return path


HEADLINE_FILE = "headline.json"
"""In a run's report folder: its ``main job:`` line and headline table (HTML), which the index opens with."""


def write_headline(report_folder: str | Path, run_dir: str | Path, confidence: float = 0.95, **meta) -> Path:
    """``<report_folder>/headline.json``: a finished recipe run's summary line and its success table per phase and
    site, for the index."""
    from halo_lib.recipe import RecipeResult, by_site, summary_line
    from halo_lib.report.tables import headline_table, load_phases

    result = RecipeResult.load(run_dir)
    phases = load_phases(run_dir)
    path = Path(report_folder) / HEADLINE_FILE
    payload = {"line": summary_line(result, "main job"), "table_html": headline_table(phases, confidence).to_html(),
               "wins_losses_html": by_site(result).to_html(), "minutes": round(result.seconds / 60, 1),
               "run_dir": str(run_dir), "created": _dt.datetime.now().isoformat(timespec="seconds"), **meta}
    write_text_atomic(path, json.dumps(payload, indent=2, default=str))
    _readable(path)
    return path


def _newest_headline(root: Path) -> str:
    """The index's opening: the newest run's headline (or a line saying no run has finished)."""
    found = []
    for path in root.glob(f"*/{HEADLINE_FILE}"):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    if not found:
        return "<p>No recipe run has finished yet: <code>./launch.sh</code> runs one.</p>"
    h = max(found, key=lambda h: h.get("created", ""))
    return (f"<h2>Newest run: {html.escape(str(h.get('run', '')))}</h2>"
            f"<p><code>{html.escape(h['line'])}</code></p>"
            f"<p>config <code>{html.escape(str(h.get('config', '')))}</code> &middot; git "
            f"<code>{html.escape(str(h.get('git_revision', '')))}</code> &middot; {h.get('minutes', '?')} min of "
            f"recipe &middot; run folder <code>{html.escape(str(h.get('run_dir', '')))}</code></p>"
            f"<h3>Held-out success per phase and site</h3>{h['table_html']}"
            f"<h3>GRPO against BC, paired episodes (wins: GRPO solved, BC did not)</h3>{h['wins_losses_html']}")


def write_index(reports_dir: str | Path = "reports") -> Path:
    """``reports/index.html``: the newest run's headline, then every report under ``reports_dir`` (newest first),
    written atomically."""
    root = Path(reports_dir)
    root.mkdir(parents=True, exist_ok=True)
    entries = []
    for meta_path in root.rglob("*.meta.json"):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        html_file = meta_path.parent / meta.get("html", "")
        if html_file.is_file():
            entries.append((meta, html_file))
    entries.sort(key=lambda e: (e[0].get("created", ""), e[0].get("order", 0)), reverse=True)
    rows = []
    for meta, html_file in entries:
        rel = html_file.relative_to(root).as_posix()
        ipynb = html_file.with_suffix(".ipynb")
        mark = '<b style="color:#b00020">trained on the benchmark</b>' if meta.get("trained_on_benchmark") else ""
        status = meta.get("status", "ok")
        nb_link = f'<a href="{html.escape(ipynb.relative_to(root).as_posix())}">notebook</a>' if ipynb.exists() else ""
        colour = "green" if status == "ok" else "#b00020"
        rows.append(
            f"<tr><td>{html.escape(str(meta.get('created', '')))}</td><td>{html.escape(str(meta.get('run', '')))}</td>"
            f"<td><a href=\"{html.escape(rel)}\">{html.escape(str(meta.get('title', rel)))}</a></td>"
            f"<td>{html.escape(str(meta.get('config', '')))}</td>"
            f'<td style="color:{colour}">{html.escape(status)}</td><td>{mark}</td><td>{nb_link}</td></tr>')
    page = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>HALO-Agent reports</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px 10px;text-align:left}</style></head><body><h1>HALO-Agent reports</h1>"
        + _newest_headline(root) + "<h2>Reports</h2>"
        f"<p>{len(rows)} report(s); index written {_dt.datetime.now().isoformat(timespec='seconds')}</p>"
        "<table><tr><th>created</th><th>run</th><th>report</th><th>config</th><th>status</th><th></th>"
        "<th>executed notebook</th></tr>" + "".join(rows) + "</table></body></html>")
    index = root / "index.html"
    write_text_atomic(index, page)
    _readable(index)
    return index


def require_outputs(ipynb: str | Path) -> None:
    """Raise unless an executed notebook holds outputs (guards against rendering an unexecuted one)."""
    import nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    if not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"):
        raise HaloError(f"{ipynb} has no outputs: execute it first (python -m halo_lib.report run)")
