"""The jinja2 environment the dossier's templates run in (autoescape on: case text reaches a
template only as data), and a template's output read as markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from casefile import __version__
from casefile.case.dates import display_date
from casefile.dossier.assembly import TYPE_LABELS
from casefile.errors import fail
from casefile.typeset import marks


def template_env(root: Path | None) -> Environment:
    """The templates of the workspace at `root` (its templates/ folder, if any) over casefile's own."""
    loaders = []
    if root is not None and (Path(root) / "templates").is_dir():
        loaders.append(FileSystemLoader(str(Path(root) / "templates")))
    loaders.append(PackageLoader("casefile", "templates"))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      auto_reload=False,  # a build reads each template once (no stat per exhibit)
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = lambda v: display_date(v) if v else ""
    env.filters["typelabel"] = lambda t: TYPE_LABELS.get(t, t)
    env.filters["size"] = _human_size
    env.filters["path_lines"] = path_lines
    env.filters["language"] = lambda code: f"{LANGUAGES[code]}, {code}" if code in LANGUAGES else code
    env.globals["version"] = __version__
    return env


LANGUAGES = {"fa": "Persian", "ar": "Arabic", "en": "English", "ku": "Kurdish", "az": "Azerbaijani",
             "fr": "French", "de": "German", "sv": "Swedish", "tr": "Turkish", "ur": "Urdu", "he": "Hebrew"}


def _human_size(n: int) -> str:
    """A file size, its number and unit never broken apart (a no-break space between them)."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n}\u00a0{unit}" if unit == "bytes" else f"{n:.1f}\u00a0{unit}"
        n /= 1024
    return str(n)


def path_lines(path: str) -> list[str]:
    """A file's path as the lines a narrow table cell shows it on: each folder ("sources/") on
    a line, then the file name, whole (a name is never broken inside)."""
    parts = path.split("/")
    return [p + "/" for p in parts[:-1]] + parts[-1:]


def render_markup(env: Environment, name: str, **ctx) -> ET.Element:
    """The template `name` rendered with `ctx`, read as markup (one <doc> element); the
    confidential edition's marks become `<mark>` elements with a margin note (typeset/marks.py)."""
    text = env.get_template(name).render(**ctx)
    try:
        return marks.to_elements(ET.fromstring(f"<doc>{text}</doc>"))
    except ET.ParseError as e:
        raise fail(f"templates/{name}", "markup", f"template produced invalid markup: {e}", line=e.position[0])
