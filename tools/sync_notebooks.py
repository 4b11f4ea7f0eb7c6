"""Write what the chapters' notebooks derive from the repository into them:
``python tools/sync_notebooks.py`` (or ``make notebooks``); ``--check`` only reports.

A notebook is read on Colab, Kaggle, GitHub and in JupyterLab, none of which has the
rest of the repository next to it, so everything a chapter's Markdown points at is an
absolute address built from ``_config.yml`` (``repository.url`` and ``branch``):

- the "Open in Colab / Kaggle" badges of the first cell;
- images (``![...](...)``): the repository's raw address of the file, which the book's
  own build maps back to the local file (``book/_ext/ganlab_links.py``), so the rendered
  book still loads nothing from outside;
- benchmark tables, copied between ``<!-- include PATH -->`` and ``<!-- end include -->``
  (notebook Markdown has no include directive that Colab or GitHub would honour);
- the setup cell's ``pip install`` requirement: exactly the ganlab version that made the
  committed outputs (the version stamped in the notebook's metadata by
  ``python -m ganlab.book run``), and the repository install its message offers when that
  release is not on PyPI: ``git+URL@vVERSION`` where the release is tagged, else the
  branch of ``_config.yml``.

``tests/test_chapters.py`` fails when a notebook disagrees with what this writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
RAW_HOST = "https://raw.githubusercontent.com"
# any raw address of any fork and branch: the part that this tool rewrites
RAW_PREFIX = re.compile(re.escape(RAW_HOST) + r"/[^/\s)]+/[^/\s)]+/[^/\s)]+/")
BADGES = re.compile(r"^\[!\[Open in Colab\].*$", re.MULTILINE)
INCLUDE = re.compile(r"(<!-- include (?P<path>\S+) -->\n)(?:.*?\n)?(<!-- end include -->)", re.DOTALL)
REQUIREMENT = re.compile(r'os\.environ\.get\("GANLAB_INSTALL", "ganlab==[^"]*"\)')
FROM_REPOSITORY = re.compile(r"'git\+https://github\.com/[^@'\s]+@[^'\s]*'")


def repository(config_path: Path = ROOT / "_config.yml") -> dict:
    """The repository's owner/name and branch, from ``_config.yml``'s ``repository``."""
    settings = yaml.safe_load(config_path.read_text())["repository"]
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)/?", settings["url"])
    if match is None:
        raise ValueError(f"repository.url in _config.yml must be https://github.com/OWNER/NAME, got {settings['url']!r}")
    return {"slug": match.group(1), "branch": settings.get("branch", "main")}


def repository_install(repo: dict, version: str, tags: list[str] | None = None) -> str:
    """What ``GANLAB_INSTALL`` should say to install ``version`` from the repository: its
    release tag ``vVERSION`` where releases are tagged, else the branch."""
    tags = release_tags() if tags is None else tags
    ref = f"v{version}" if f"v{version}" in tags else repo["branch"]
    return f"git+https://github.com/{repo['slug']}@{ref}"


def release_tags() -> list[str]:
    """The repository's git tags (none outside a git checkout)."""
    import subprocess

    listed = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True)
    return listed.stdout.split() if listed.returncode == 0 else []


def raw_address(repo: dict, path: str) -> str:
    """Where GitHub serves the file at ``path`` (relative to the repository root)."""
    return f"{RAW_HOST}/{repo['slug']}/{repo['branch']}/{path}"


def badge_line(repo: dict, notebook_name: str) -> str:
    """The first cell's "Open in Colab / Kaggle" line for ``book/notebook_name``."""
    on_github = f"github/{repo['slug']}/blob/{repo['branch']}/book/{notebook_name}"
    colab = f"https://colab.research.google.com/{on_github}"
    kaggle = f"https://kaggle.com/kernels/welcome?src=https://github.com/{repo['slug']}/blob/{repo['branch']}/book/{notebook_name}"
    colab_badge = raw_address(repo, "book/images/open-in-colab.svg")
    kaggle_badge = raw_address(repo, "book/images/open-in-kaggle.svg")
    return f"[![Open in Colab]({colab_badge})]({colab}) [![Open in Kaggle]({kaggle_badge})]({kaggle})"


def _synced_markdown(source: str, repo: dict, notebook_name: str, first: bool) -> str:
    if first:
        source = BADGES.sub(lambda _: badge_line(repo, notebook_name), source, count=1)
    source = RAW_PREFIX.sub(raw_address(repo, ""), source)

    def include(match: re.Match) -> str:
        table = (ROOT / match.group("path")).read_text().strip()
        # blank lines around the table: every renderer then starts a new block for it
        return f"{match.group(1)}\n{table}\n\n{match.group(3)}"

    return INCLUDE.sub(include, source)


def synced(notebook: nbformat.NotebookNode, repo: dict, notebook_name: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with its badges, addresses, tables and install line written."""
    notebook = nbformat.from_dict(notebook)
    version = notebook.metadata.get("ganlab", {}).get("ganlab_version")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            cell.source = _synced_markdown(cell.source, repo, notebook_name, first=index == 0)
        elif version and REQUIREMENT.search(cell.source):
            cell.source = REQUIREMENT.sub(f'os.environ.get("GANLAB_INSTALL", "ganlab=={version}")', cell.source)
            cell.source = FROM_REPOSITORY.sub(f"'{repository_install(repo, version)}'", cell.source)
    return notebook


def stale_notebooks(paths, repo: dict | None = None, write: bool = False) -> list[str]:
    """The notebooks among ``paths`` that differ from what ``synced`` writes (rewritten
    in place when ``write``)."""
    repo = repo or repository()
    stale = []
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        updated = synced(notebook, repo, path.name)
        if updated != notebook:
            stale.append(path.name)
            if write:
                nbformat.write(updated, path)
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=sorted(BOOK.glob("*.ipynb")))
    parser.add_argument("--check", action="store_true", help="report notebooks that are out of date; change nothing")
    args = parser.parse_args(argv)
    stale = stale_notebooks(args.notebooks, write=not args.check)
    if args.check and stale:
        print(f"out of date (run python tools/sync_notebooks.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    print(f"{'rewrote' if stale else 'up to date'}: {', '.join(stale) or len(args.notebooks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
