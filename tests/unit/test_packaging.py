"""装成包（pip install .，不从源码目录运行）时，程序运行时读的文件都得跟着进去：
插件和核心目录下每个不是 .py 的文件，都要在 pyproject.toml 的 package-data 里。"""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def is_data(path: Path) -> bool:
    """不是源码、字节码，也不是 make mutation 时 mutmut 在它那份源码旁边写的文件
    （以源文件命名：`ledger.py.meta`、`ledger.py.spans`）。"""
    return path.suffix not in (".py", ".pyc") and not path.stem.endswith(".py")


def test_every_data_file_of_the_packages_is_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"].get("package-data", {})
    data = [
        path.relative_to(REPO).as_posix()
        for package in ("plugins", "qungui")
        for path in (REPO / package).rglob("*")
        if path.is_file() and is_data(path)
    ]
    assert data, "网页后台的模板至少有几个"
    missing = [
        path
        for path in data
        if not any(
            fnmatch(path.split("/", 1)[1], pattern)
            for pattern in patterns.get(path.split("/", 1)[0], [])
        )
    ]
    assert missing == []
