"""Builds the dose-finding engine's compiled rules, src/hyposti/design/_kernel.c (plain C against
the CPython API), when the package is installed; everything else is in pyproject.toml.

setup.py rather than pyproject's [tool.setuptools.ext-modules], which setuptools still calls
experimental and likely to change.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "hyposti.design._kernel",
            ["src/hyposti/design/_kernel.c"],
            # No fused multiply-add: every float is rounded as the source's operations say,
            # whatever the compiler's target.
            extra_compile_args=["-Wall", "-Wextra", "-ffp-contract=off"],
        )
    ]
)
