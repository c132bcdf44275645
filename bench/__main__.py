"""``python -m bench``: run every ``bench/*_bench.py`` module's ``main()``."""
import importlib
import pathlib

for path in sorted(pathlib.Path(__file__).parent.glob("*_bench.py")):
    importlib.import_module(f"bench.{path.stem}").main()
