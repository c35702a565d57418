"""The semantic lint checks, one module per concern; importing them registers them."""

from . import evidence, placeholders, ranking, regexes, rules, sources, usage  # noqa: F401
