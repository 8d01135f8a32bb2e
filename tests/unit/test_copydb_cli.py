"""运维在终端里跑 `python -m qungui.copydb`：连不上库、源库不对时看到一行中文，而不是堆栈。"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_database_that_cannot_be_reached_is_one_chinese_line(tmp_path: Path) -> None:
    # 端口 1 上没有 PostgreSQL；源库是个空文件夹里的新 SQLite 文件（没有表）
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qungui.copydb",
            f"sqlite://{tmp_path / 'qungui.sqlite3'}",
            "postgres://postgres@127.0.0.1:1/qungui",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("没有复制："), done.stderr
