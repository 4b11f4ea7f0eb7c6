"""pyproject.toml, requirements/constraints.txt and environment.yml must agree."""

import re
from pathlib import Path

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
    return [Requirement(text) for text in project["dependencies"] + extras["cpu"] + extras["book"] + extras["dev"]]


def test_tensorflow_is_only_in_extras():
    project = _pyproject()
    assert not any(canonicalize_name(Requirement(r).name).startswith("tensorflow") for r in project["dependencies"])
    assert [Requirement(r).name for r in project["optional-dependencies"]["cpu"]] == ["tensorflow-cpu"]
    assert [Requirement(r).name for r in project["optional-dependencies"]["gpu"]] == ["tensorflow"]


def test_cpu_and_gpu_extras_pin_the_same_tensorflow():
    extras = _pyproject()["optional-dependencies"]
    cpu, gpu = Requirement(extras["cpu"][0]), Requirement(extras["gpu"][0])
    assert str(cpu.specifier) == str(gpu.specifier)
    assert "and-cuda" in gpu.extras


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


def test_package_version_matches_pyproject():
    import ganlab

    assert ganlab.__version__ == _pyproject()["version"]


def test_package_data_includes_every_shipped_asset():
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["ganlab"]
    assets = [path.relative_to(ROOT / "ganlab").as_posix() for path in (ROOT / "ganlab" / "assets").rglob("*") if path.is_file()]
    assert any(asset.startswith("assets/pretrained/") for asset in assets)
    missing = [asset for asset in assets if not any(fnmatch(asset, pattern) for pattern in patterns)]
    assert missing == [], f"assets a wheel would leave out: {missing}"
