"""pyproject.toml, requirements/constraints.txt and environment.yml must agree."""

import re
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _constraints():
    pins = {}
    for line in (ROOT / "requirements/constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def _environment():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            for requirement in entry["pip"]:
                if not requirement.startswith("-e"):
                    name, version = requirement.split("==")
                    pins[canonicalize_name(name)] = version
        else:
            name, _, version = entry.partition("=")
            pins[canonicalize_name(name)] = version
    return environment, pins


def _direct_requirements():
    project = _pyproject()
    extras = project["optional-dependencies"]
    every = [Requirement(text) for text in project["dependencies"] + extras["cpu"] + extras["book"] + extras["dev"]]
    # what this machine installs (the cpu extra names another wheel on Apple silicon and aarch64)
    return [requirement for requirement in every if requirement.marker is None or requirement.marker.evaluate()]


def test_tensorflow_is_only_in_extras():
    project = _pyproject()
    assert not any(canonicalize_name(Requirement(r).name).startswith("tensorflow") for r in project["dependencies"])
    assert [Requirement(r).name for r in project["optional-dependencies"]["cpu"]] == ["tensorflow-cpu", "tensorflow"]
    assert [Requirement(r).name for r in project["optional-dependencies"]["gpu"]] == ["tensorflow"]


# (sys_platform, platform_machine) of the machines readers use, and the TensorFlow wheel
# PyPI has for each at 2.21.0 (the CPU-only build only for x86-64 Linux and Windows)
PLATFORMS = {("linux", "x86_64"): "tensorflow-cpu", ("win32", "AMD64"): "tensorflow-cpu",
             ("darwin", "arm64"): "tensorflow", ("linux", "aarch64"): "tensorflow"}


@pytest.mark.parametrize(("platform", "machine"), list(PLATFORMS))
def test_the_cpu_extra_picks_one_tensorflow_wheel_that_exists_for_the_platform(platform, machine):
    environment = {"sys_platform": platform, "platform_machine": machine}
    chosen = [requirement.name for requirement in map(Requirement, _pyproject()["optional-dependencies"]["cpu"])
              if requirement.marker is None or requirement.marker.evaluate(environment)]
    assert chosen == [PLATFORMS[platform, machine]]


def test_cpu_and_gpu_extras_pin_the_same_tensorflow():
    extras = _pyproject()["optional-dependencies"]
    gpu = Requirement(extras["gpu"][0])
    assert all(Requirement(cpu).specifier == gpu.specifier for cpu in extras["cpu"])
    assert "and-cuda" in gpu.extras


def test_requires_python_admits_the_versions_tested_here_and_on_the_hosts(load_tool):
    from packaging.specifiers import SpecifierSet

    supported = SpecifierSet(_pyproject()["requires-python"])
    hosted = load_tool("hosted_check").PROFILES
    tested = {"3.11"} | {profile["python"] for profile in hosted.values()}
    assert all(supported.contains(f"{version}.0") for version in tested) and not supported.contains("3.10.0")


def test_constraints_pin_every_direct_dependency_within_its_range():
    pins = _constraints()
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in requirements/constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_environment_lists_every_direct_dependency_with_the_same_pin():
    environment, pins = _environment()
    constraints = _constraints()
    assert environment["channels"] == ["conda-forge"]
    assert pins.pop("python") == "3.11"
    pins.pop("pip")
    tensorflow = pins.pop("tensorflow")  # the plain wheel: conda users are on any OS
    assert tensorflow == constraints["tensorflow-cpu"]
    expected = {canonicalize_name(r.name) for r in _direct_requirements()} - {"tensorflow-cpu"}
    assert set(pins) == expected | {"keras"}
    for name, version in pins.items():
        assert constraints[name] == version, f"{name}: environment.yml {version}, constraints {constraints[name]}"


def test_tensorflow_is_in_the_pip_section_of_the_environment():
    environment, _ = _environment()
    pip_section = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert any(re.match(r"tensorflow==", line) for line in pip_section)
    assert "-e ." in pip_section


def test_the_version_is_written_in_one_place():
    import importlib.metadata

    import ganlab

    project = _pyproject()
    assert "version" not in project and project["dynamic"] == ["version"]
    dynamic = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["dynamic"]
    assert dynamic == {"version": {"attr": "ganlab.__version__"}}
    # the installed metadata (what pip and PyPI see) says the same
    assert importlib.metadata.version("ganlab") == ganlab.__version__


def test_package_data_includes_every_shipped_asset():
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["ganlab"]
    assets = [path.relative_to(ROOT / "ganlab").as_posix() for path in (ROOT / "ganlab" / "assets").rglob("*") if path.is_file()]
    assert any(asset.startswith("assets/pretrained/") for asset in assets)
    missing = [asset for asset in assets if not any(fnmatch(asset, pattern) for pattern in patterns)]
    assert missing == [], f"assets a wheel would leave out: {missing}"


@pytest.mark.slow
def test_the_wheel_installs_into_a_clean_venv_and_its_assets_load(tmp_path):
    """Build the wheel as `make dist` does, install it (without its dependencies) into a
    new venv that sees the project's packages only behind its own, and load the judge and
    every pretrained generator from the installed copy."""
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("ganlab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ganlab/assets/judge.weights.h5" in names and any(name.startswith("ganlab/assets/pretrained/vae-mnist/") for name in names)
    assert not any(name.startswith(("tests/", "book/", "tools/")) for name in names)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", site, str(wheel)], check=True)
    # the dependencies (TensorFlow, Keras, ...) from this project's environment, after the
    # venv's own packages, so that `import ganlab` finds the installed wheel
    outside = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "project-dependencies.pth").write_text(outside + "\n")
    script = """
import ganlab, importlib.metadata
from pathlib import Path
from ganlab import judge, pretrained
assert Path(ganlab.__file__).is_relative_to(Path(SITE)), ganlab.__file__
assert importlib.metadata.version("ganlab") == ganlab.__version__
judge.load_judge()
for name in pretrained.NAMES:
    pretrained.load(name)
print("loaded", ganlab.__version__, len(pretrained.NAMES))
""".replace("SITE", repr(site))
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    import ganlab

    assert result.stdout.strip().endswith(f"loaded {ganlab.__version__} 3")


def test_twine_accepts_the_package_metadata(tmp_path):
    """The metadata PyPI will read: built from pyproject.toml and README.md, checked by twine."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, tmp_path.glob("*"))], capture_output=True, text=True)
    assert result.returncode == 0 and "PASSED" in result.stdout, result.stdout + result.stderr


def test_the_readme_fits_one_screen_and_the_rest_is_in_contributing():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    assert "[CONTRIBUTING.md](CONTRIBUTING.md)" in readme
    # the two set-up commands stay in the README; .ci/run calls the test one
    assert "make demo" in readme and "make test" in readme and "make test" in (ROOT / ".ci" / "run").read_text()
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    for topic in ("## Testing and the chapters", "## Releasing", "make check", "make chapters", "make test-hosted", "tools/export_pretrained.py"):
        assert topic in contributing, topic
