"""Code generation: reference models and Hypothesis contract tests from checked specs.

``generate`` writes, for each component ``C`` of the given specs,
``<c>_model.py`` (the reference model ``CModel``) and
``test_<c>_contract.py`` (its contract test) into a build folder;
``check_generated`` reports files there that are missing, stale or edited,
for ``specfirst gen --check``. Only this package imports jinja2.
"""

from codegen.generate import (
    check_generated,
    contract_test_file_name,
    display_path,
    generate,
    model_file_name,
    render_component,
)
from codegen.render import GenerationError, snake_case

__all__ = [
    "GenerationError",
    "check_generated",
    "contract_test_file_name",
    "display_path",
    "generate",
    "model_file_name",
    "render_component",
    "snake_case",
]
