"""Map the repository's top-level folders onto the one import package `siprouter`.

The repo keeps `core/`, `modules/` and `tools/` at the top (as the architecture describes), but
installed they must live under `siprouter.` so nothing named `core` lands in site-packages.
pyproject.toml cannot express "every sub-package of these folders, renamed", hence this file.
"""

from setuptools import find_packages, setup

ROOTS = ("core", "modules", "tools", "examples")

packages = []
package_dir = {}
for root in ROOTS:
    packages.append(f"siprouter.{root}")
    package_dir[f"siprouter.{root}"] = root
    packages.extend(f"siprouter.{root}.{sub}" for sub in find_packages(root))

setup(
    packages=packages,
    package_dir=package_dir,
    # Non-Python files the installed package needs at run time.
    package_data={"siprouter.examples": ["*.cfg"], "siprouter.tools.dbgtui": ["*.tcss"]},
)
