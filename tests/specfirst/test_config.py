from pathlib import Path

import pytest

from specfirst.config import ConfigError, find_root, load_config


def write_pyproject(folder: Path, body: str) -> None:
    (folder / "pyproject.toml").write_text(body, encoding="utf-8")


def test_defaults_without_table(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.spec_paths == (tmp_path / "specs",)
    assert config.build_dir == tmp_path / "build/specfirst"
    assert config.timeout_ms == 10_000
    assert config.components == {}


def test_component_binding_read(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        """
[tool.specfirst]
specs = ["a.spec"]
timeout_ms = 500

[tool.specfirst.components.Counter]
adapter = "pkg.mod:Adapter"
constants = { limit = 3 }
max_examples = 7
""",
    )
    config = load_config(tmp_path)
    binding = config.binding("Counter")
    assert binding.adapter == "pkg.mod:Adapter"
    assert binding.constants == {"limit": 3}
    assert binding.max_examples == 7
    assert config.timeout_ms == 500
    assert config.binding("Other").adapter is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[tool.specfirst]\ntimeout_ms = 'x'", "timeout_ms must be int, got 'x'"),
        ("[tool.specfirst]\ntimeout_ms = 0", "timeout_ms must be positive, got 0"),
        ("[tool.specfirst]\nspecs = 'specs'", "specs must be list"),
        ("[tool.specfirst.components]\nC = 3", "components.C: expected a table, got 3"),
        (
            "[tool.specfirst.components.C]\nconstants = { k = 'a' }",
            "k must be an integer, got 'a'",
        ),
        (
            "[tool.specfirst.components.C]\nmax_examples = 0",
            "max_examples must be at least 1",
        ),
        ("[tool.specfirst\n", "invalid TOML"),
    ],
)
def test_invalid_config_names_key_and_value(
    tmp_path: Path, body: str, fragment: str
) -> None:
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert fragment in str(raised.value)
    assert "pyproject.toml" in str(raised.value)


def test_find_root_walks_up(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.specfirst]\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_root(nested) == tmp_path


def test_find_root_ignores_other_projects(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.other]\n")
    # A folder above tmp_path may itself be a specfirst project; only this
    # one must be passed over.
    assert find_root(tmp_path) != tmp_path
