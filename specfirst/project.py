"""A project on disk: its root, its config and its checked specs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from spec_lang import load_spec
from spec_lang.ast import Span, SpecFile
from spec_lang.diagnostics import Diagnostic, SpecError, error
from specfirst.config import ProjectConfig, find_root, load_config
from specfirst.manifest import Manifest, load_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    """A project as the gates see it: its config, its manifest, its spec files."""

    config: ProjectConfig
    manifest: Manifest
    files: tuple[Path, ...]

    @property
    def root(self) -> Path:
        return self.config.root

    def display(self, file: Path) -> str:
        return display_path(file, self.config.root)


def open_workspace(start: Path | None = None) -> Workspace:
    """Open the project around ``start`` with its manifest and spec files.

    Raises:
        ConfigError: the config or the manifest is invalid.
    """
    config = open_project(start)
    return Workspace(config, load_manifest(config.root), tuple(config.spec_files()))


@dataclass(frozen=True)
class LoadedSpecs:
    """The specs that loaded, and the diagnostics of those that did not."""

    specs: tuple[SpecFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]


def open_project(start: Path | None = None) -> ProjectConfig:
    """Find the project around ``start`` (the current folder by default) and read
    its config; a folder with no ``[tool.specfirst]`` is a project with defaults."""
    here = (start or Path.cwd()).resolve()
    root = find_root(here) or here
    log.debug("project root: %s", root)
    return load_config(root)


def spec_paths(config: ProjectConfig, paths: list[Path] | None) -> list[Path]:
    """Expand the paths given on the command line, or the config's specs."""
    if not paths:
        return config.spec_files()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.spec")))
        else:
            files.append(path)
    return files


def load_specs(files: list[Path], root: Path) -> LoadedSpecs:
    """Parse and check every file, collecting diagnostics instead of stopping.

    File names in spans and diagnostics are relative to ``root`` when the file
    lies inside it, so reports read the same on every machine.
    """
    specs: list[SpecFile] = []
    diagnostics: list[Diagnostic] = []
    sources: dict[str, str] = {}
    components: dict[str, str] = {}
    for file in files:
        name = display_path(file, root)
        try:
            spec = load_spec(file, name)
        except SpecError as exc:
            diagnostics.extend(exc.diagnostics)
            sources[name] = _read_text(file)
            continue
        sources[spec.path] = spec.source
        duplicate = _duplicate_component(spec, components)
        if duplicate is not None:
            diagnostics.append(duplicate)
            continue
        specs.append(spec)
    return LoadedSpecs(tuple(specs), tuple(diagnostics), sources)


def display_path(file: Path, root: Path) -> str:
    """Return ``file`` relative to ``root`` when inside it, else as given."""
    try:
        return str(file.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(file)


def _duplicate_component(spec: SpecFile, seen: dict[str, str]) -> Diagnostic | None:
    for component in spec.components:
        if component.name in seen:
            return error(
                "SF202",
                f"component {component.name!r} is also declared in "
                f"{seen[component.name]}",
                component.span,
            )
        seen[component.name] = spec.path
    return None


def _read_text(file: Path) -> str:
    if not file.is_file():  # reading a pipe or a device would not end
        return ""
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def missing_path_diagnostic(path: Path) -> Diagnostic:
    return error("SF100", "no such file or folder", Span(str(path), 1, 1, 1, 1))


@dataclass(frozen=True)
class Declaration:
    """The place a named spec (a component, or a system-level spec) is declared."""

    name: str
    file: str
    span: Span


def declarations(specs: tuple[SpecFile, ...]) -> dict[str, Declaration]:
    """Map each named top-level declaration of the loaded specs to its place.

    System-level specs are read from a ``systems`` field of the spec file
    once the language has one; until then only components are declared.
    """
    found: dict[str, Declaration] = {}
    for spec in specs:
        for node in (*spec.components, *getattr(spec, "systems", ())):
            found.setdefault(node.name, Declaration(node.name, spec.path, node.span))
    return found
