"""The HTML page around the report: style, the language switch, and the chart scripts.

The Vega, Vega-Lite and vega-embed scripts are the ones Splink ships for its own offline
dashboards (``splink/internals/files/external_js``); they are copied into the page, so the
file needs no network when it is opened.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ..backends.splink_compat import bundled_javascript
from ..errors import EngineError

__all__ = ["chart_libraries", "json_for_script", "page"]

#: The chart libraries, in load order, by the file-name prefix Splink gives them.
_LIBRARIES = ("vega", "vega-lite", "vega-embed")


@cache
def chart_libraries() -> tuple[tuple[str, str], ...]:
    """``(file name, JavaScript)`` of Vega, Vega-Lite and vega-embed, read from Splink."""
    folder = bundled_javascript()
    found: list[tuple[str, str]] = []
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise EngineError(
            "the report needs the Vega scripts Splink ships (splink/internals/files/external_js); "
            "this Splink install has none: reinstall splink>=5,<6"
        ) from exc
    for library in _LIBRARIES:
        name = next((n for n in names if n.startswith(f"{library}@")), None)
        if name is None:
            raise EngineError(f"Splink's bundled {library} script is missing: reinstall splink>=5,<6")
        source = folder.joinpath(name).read_text(encoding="utf-8")
        found.append((name, source.replace("</script", "<\\/script")))
    return tuple(found)


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&``)."""
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


_STYLE = """
:root { --ink: #1a202c; --muted: #4a5568; --line: #e2e8f0; --accent: #2b6cb0; --bg: #f7fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--bg); }
header { background: #1a365d; color: #fff; padding: 18px 28px; display: flex; flex-wrap: wrap;
         align-items: center; justify-content: space-between; gap: 12px; }
header h1 { margin: 0; font-size: 24px; }
header p { margin: 2px 0 0; opacity: .85; }
.switch { display: flex; align-items: center; gap: 6px; }
.switch button { font: inherit; padding: 4px 12px; border: 1px solid #fff; background: transparent;
                 color: #fff; border-radius: 4px; cursor: pointer; }
.switch button[aria-pressed="true"] { background: #fff; color: #1a365d; font-weight: 600; }
main { max-width: 1080px; margin: 0 auto; padding: 8px 28px 40px; }
nav { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 18px;
      margin: 18px 0; }
nav ol { margin: 4px 0; padding-left: 20px; columns: 2; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 22px 18px;
          margin: 18px 0; }
h2 { font-size: 20px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin-bottom: 4px; }
p.note, .muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px;
        background: var(--bg); }
.card b { display: block; font-size: 22px; }
.chart { margin: 10px 0 16px; overflow-x: auto; }
.chart .error { color: #c53030; }
.pair { border-top: 1px solid var(--line); padding-top: 6px; }
code { background: var(--bg); padding: 0 3px; border-radius: 3px; }
details { margin: 6px 0 12px; }
footer { text-align: center; color: var(--muted); font-size: 13px; padding: 0 20px 30px; }
html[data-lang="id"] [lang="en"], html[data-lang="en"] [lang="id"] { display: none; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var LOCALES = {
    id: {decimal: ",", thousands: ".", grouping: [3], currency: ["Rp", ""]},
    en: {decimal: ".", thousands: ",", grouping: [3], currency: ["$", ""]}
  };
  var root = document.documentElement;
  function setLang(lang) {
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
    });
  }
  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.addEventListener("click", function () { setLang(button.getAttribute("data-set-lang")); });
  });
  setLang(root.getAttribute("data-lang"));
  var specs = JSON.parse(document.getElementById("dtks-charts").textContent);
  var views = Array.prototype.slice.call(document.querySelectorAll(".chart .view"));
  // One chart at a time: vega-embed sets the number locale globally before it builds a view.
  views.reduce(function (previous, view) {
    return previous.then(function () {
      var name = view.parentNode.getAttribute("data-chart");
      var lang = view.getAttribute("lang");
      var options = {renderer: "svg", actions: false, formatLocale: LOCALES[lang]};
      return vegaEmbed(view, specs[name][lang], options)
        .then(function () { view.setAttribute("data-drawn", "yes"); })
        .catch(function (error) {
          view.setAttribute("data-drawn", "error");
          view.textContent = "chart " + name + ": " + error;
          view.className += " error";
          console.error("chart " + name + " (" + lang + ") failed: " + error);
        });
    });
  }, Promise.resolve()).then(function () { document.body.setAttribute("data-charts", "done"); });
})();
"""


def page(*, lang: str, title: str, header: str, body: str, footer: str, charts: dict[str, Any]) -> str:
    """The whole HTML document."""
    libraries = "\n".join(
        f"<script>/* {name} (BSD-3-Clause, shipped with Splink) */\n{source}\n</script>"
        for name, source in chart_libraries()
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" data-lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="dtks_link">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n{libraries}\n</head>\n<body>\n"
        f"{header}\n<main>\n{body}\n</main>\n<footer>{footer}</footer>\n"
        f'<script type="application/json" id="dtks-charts">{json_for_script(charts)}</script>\n'
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
