"""Run a chapter the way Colab or Kaggle would, on this machine: ``make test-hosted``.

``python tools/hosted_check.py WHEEL [--profile colab|kaggle ...] [--notebook PATH]``

For each profile, a fresh virtual environment on that host's Python version is filled
with the packages the host ships (TensorFlow's CPU build of the same version, Keras,
numpy, matplotlib, ipywidgets and the other libraries ganlab needs), plus the Jupyter
kernel and nbval that run the chapter. The chapter is copied alone into an empty folder
(a hosted reader has only the notebook) and run under nbval in quick mode with
``GANLAB_HOSTED=1``, so its setup cell takes the hosted branch and installs ganlab from
``WHEEL`` (through ``GANLAB_INSTALL``). Afterwards the environment's ``pip freeze`` is
compared with the one before: ganlab must have been added without replacing TensorFlow
or numpy (which on Colab would force a restart of the runtime), and the chapter must pass.

The environments are kept in ``.hosted/`` and reused while their package list is the
same, so only the first run downloads TensorFlow. ``--prepare-only`` builds them and
stops: ``make test`` starts it in the background first, so the downloads overlap the other
tests; a later check waits on each environment's lock until it is ready.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ["ipykernel==6.29.5", "nbval==0.11.0", "pytest==8.3.5"]
# What each host preinstalls, as far as a chapter touches it (versions of late 2026's
# runtimes; TensorFlow's CPU build stands in for the GPU one of the same version).
PROFILES = {
    "colab": {
        "python": "3.12",
        "packages": ["tensorflow-cpu==2.19.0", "keras==3.10.0", "numpy==2.0.2", "matplotlib==3.10.0", "ipywidgets==7.7.1",
                     "scikit-image==0.25.2", "imageio==2.37.0", "pillow==11.3.0", "mlxtend==0.23.4"],
    },
    "kaggle": {
        "python": "3.11",
        "packages": ["tensorflow-cpu==2.18.0", "keras==3.8.0", "numpy==1.26.4", "matplotlib==3.7.5", "ipywidgets==8.1.5",
                     "scikit-image==0.25.2", "imageio==2.37.0", "pillow==11.1.0", "mlxtend==0.23.4"],
    },
}
# ganlab may add packages, never replace these
PROTECTED = ("tensorflow-cpu", "numpy")


def find_python(version: str) -> str:
    """A ``python{version}`` executable: on PATH, or one of pyenv's. Exits loudly without one."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(str(pyenv_root / "versions" / f"{version}.*" / "bin" / f"python{version}")), reverse=True)
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    sys.exit(f"hosted check: no Python {version} found (looked on PATH and in {pyenv_root}/versions); "
             f"install it, e.g. `pyenv install {version}`")


def freeze(python: Path) -> dict[str, str]:
    """``pip freeze`` of an environment as {normalised name: version}."""
    listing = subprocess.run([str(python), "-m", "pip", "freeze", "--all"], capture_output=True, text=True, check=True).stdout
    pins = {}
    for line in listing.splitlines():
        name, separator, version = line.partition("==")
        if separator:
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
        elif " @ " in line:
            name, _, location = line.partition(" @ ")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = location
    return pins


@contextlib.contextmanager
def environment_lock(profile: str):
    """Hold ``.hosted/PROFILE.lock``: one process at a time builds or checks an environment."""
    lock_path = ROOT / ".hosted" / f"{profile}.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def prepare_environment(profile: str) -> Path:
    """The profile's environment in ``.hosted/PROFILE`` (created or reused); its python."""
    with environment_lock(profile):
        return _prepare_environment(profile)


def _prepare_environment(profile: str) -> Path:
    spec = PROFILES[profile]
    wanted = "\n".join([spec["python"], *spec["packages"], *HARNESS])
    folder = ROOT / ".hosted" / profile
    marker = folder / "packages.sha256"
    python = folder / "bin" / "python"
    digest = hashlib.sha256(wanted.encode()).hexdigest()
    baseline = folder / "freeze.json"
    if marker.exists() and marker.read_text() == digest and python.exists() and baseline.exists():
        # reused only as the host ships it: without the ganlab of an earlier check, and
        # without what that install upgraded (else rebuilt)
        subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "ganlab"], capture_output=True)
        if freeze(python) == json.loads(baseline.read_text()):
            return python
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([find_python(spec["python"]), "-m", "venv", str(folder)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *spec["packages"], *HARNESS], check=True)
    baseline.write_text(json.dumps(freeze(python)))
    marker.write_text(digest)
    return python


CHECK_OUTPUT_TAG = "nbval-check-output"


def without_output_checks(notebook_text: str) -> str:
    """The notebook (JSON text) with every cell's ``nbval-check-output`` tag removed, so
    that nbval runs those cells without comparing their outputs."""
    notebook = json.loads(notebook_text)
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags")
        if tags and CHECK_OUTPUT_TAG in tags:
            cell["metadata"]["tags"] = [tag for tag in tags if tag != CHECK_OUTPUT_TAG]
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def run_chapter(python: Path, wheel: Path, notebook: Path) -> int:
    """nbval on ``notebook``, alone in an empty folder, in the hosted environment."""
    with tempfile.TemporaryDirectory(prefix="ganlab-hosted-") as folder:
        # Every cell must run; the outputs tagged nbval-check-output are compared in the
        # project's own environment (make test-notebooks), not here: on Kaggle's packages
        # Keras prints a model summary in a different number of pieces, which nbval counts.
        (Path(folder) / notebook.name).write_text(without_output_checks(notebook.read_text()))
        shutil.copy(ROOT / "book" / "sanitize.cfg", folder)
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV", "GANLAB_"))}
        environment.update(GANLAB_HOSTED="1", GANLAB_INSTALL=str(wheel), GANLAB_QUICK="1", GANLAB_OFFLINE="1",
                           PATH=f"{python.parent}{os.pathsep}{environment.get('PATH', '')}")
        command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
                   "--nbval-sanitize-with", "sanitize.cfg", notebook.name]
        return subprocess.run(command, cwd=folder, env=environment).returncode


def check(profile: str, python: Path, wheel: Path, notebook: Path) -> list[str]:
    """Run one profile in its prepared environment; return its problems (none when it passed)."""
    started = time.perf_counter()
    before = freeze(python)
    status = run_chapter(python, wheel, notebook)
    after = freeze(python)
    problems = [] if status == 0 else [f"{notebook.name} failed under nbval (exit status {status})"]
    for name in PROTECTED:
        if before.get(name) != after.get(name):
            problems.append(f"{name} was replaced: {before.get(name)} -> {after.get(name)}")
    if "ganlab" not in after:
        problems.append("the setup cell did not install ganlab")
    changed = sorted(name for name in before if name in after and before[name] != after[name] and name != "ganlab")
    added = sorted(set(after) - set(before))
    print(f"hosted check [{profile}, Python {PROFILES[profile]['python']}]: {time.perf_counter() - started:.0f} s; "
          f"added {', '.join(added) or 'nothing'}; upgraded {', '.join(f'{n} {before[n]}->{after[n]}' for n in changed) or 'nothing'}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, nargs="?", help="the ganlab wheel to install (make dist)")
    parser.add_argument("--prepare-only", action="store_true", help="build or refresh the environments, run nothing")
    parser.add_argument("--profile", choices=sorted(PROFILES), nargs="+", default=sorted(PROFILES))
    parser.add_argument("--notebook", type=Path, default=ROOT / "book" / "02_dcgan_mnist.ipynb")
    args = parser.parse_args(argv)
    if not args.prepare_only and (args.wheel is None or not args.wheel.is_file()):
        sys.exit(f"hosted check: no wheel at {args.wheel}; run make dist")
    started = time.perf_counter()
    # the environments download and install side by side (the network is the wait); the
    # chapters then run one after the other, each on both cores
    with concurrent.futures.ThreadPoolExecutor(len(args.profile)) as pool:
        pythons = dict(zip(args.profile, pool.map(prepare_environment, args.profile)))
    print(f"hosted check: environments ready in {time.perf_counter() - started:.0f} s")
    if args.prepare_only:
        return 0
    failures = {profile: check(profile, pythons[profile], args.wheel.resolve(), args.notebook.resolve()) for profile in args.profile}
    for profile, problems in failures.items():
        for problem in problems:
            print(f"hosted check [{profile}]: FAILED: {problem}", file=sys.stderr)
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
