"""Allow ``python -m specfirst``."""

from specfirst.cli import main

main()
