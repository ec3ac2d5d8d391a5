"""The one build step pyproject.toml cannot state: the wheel carries the CSV files of data/
(their one source, documented in data/README.md) as emlab/datasets/, where emlab.data
finds them with importlib.resources.  An editable install reads data/ of the checkout."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib, "emlab", "datasets")
            self.mkpath(str(target))
            for csv in sorted(Path(__file__).parent.joinpath("data").glob("*.csv")):
                self.copy_file(str(csv), str(target / csv.name))


setup(cmdclass={"build_py": BuildPyWithData})
