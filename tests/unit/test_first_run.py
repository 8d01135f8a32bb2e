"""第一次 `make run`：生成带随机 token 的 .env，打印 NapCat 的配置；已有的 .env 从不覆盖。"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.first_run import TOKEN_KEY, first_run, settings

REPO = Path(__file__).resolve().parents[2]


def _snippet(printed: str) -> dict:
    start = printed.index("{")
    end = printed.rindex("}") + 1
    return json.loads(printed[start:end])


def _folder(tmp_path: Path) -> Path:
    shutil.copy(REPO / ".env.example", tmp_path / ".env.example")
    return tmp_path


def test_first_run_writes_a_random_token_and_prints_it_for_napcat(tmp_path):
    folder = _folder(tmp_path)
    printed = first_run(folder)

    values = settings((folder / ".env").read_text(encoding="utf-8"))
    token = values[TOKEN_KEY]
    assert len(token) >= 32
    client = _snippet(printed)["network"]["websocketClients"][0]
    assert client["token"] == token
    assert client["url"] == "ws://127.0.0.1:8080/onebot/v11/ws"
    assert client["messagePostFormat"] == "array"
    assert "已生成 .env" in printed
    # 其余设置照抄示例
    assert values["SUPERUSERS"] == "[]"
    assert values["DRIVER"] == "~fastapi"


def test_two_installs_get_different_tokens(tmp_path):
    one, two = tmp_path / "a", tmp_path / "b"
    for folder in (one, two):
        folder.mkdir()
        _folder(folder)
    first_run(one)
    first_run(two)
    token = settings((one / ".env").read_text(encoding="utf-8"))[TOKEN_KEY]
    other = settings((two / ".env").read_text(encoding="utf-8"))[TOKEN_KEY]
    assert token != other


def test_an_existing_env_is_never_overwritten(tmp_path):
    folder = _folder(tmp_path)
    mine = 'HOST=0.0.0.0\nPORT=9000\nONEBOT_ACCESS_TOKEN=operators-own\nSUPERUSERS=["10001"]\n'
    (folder / ".env").write_text(mine, encoding="utf-8")

    printed = first_run(folder)

    assert (folder / ".env").read_text(encoding="utf-8") == mine
    assert "没有改动" in printed
    client = _snippet(printed)["network"]["websocketClients"][0]
    assert client["token"] == "operators-own"
    # 监听所有地址时，NapCat 该填哪个地址要运维自己定：不假装是 0.0.0.0
    assert client["url"] == "ws://本机的IP:9000/onebot/v11/ws"


def test_make_run_creates_env_through_the_script(tmp_path):
    folder = _folder(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "scripts.first_run", str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "websocketClients" in done.stdout
    assert settings((folder / ".env").read_text(encoding="utf-8"))[TOKEN_KEY]


def test_an_existing_env_without_a_token_gets_one_and_keeps_the_rest(tmp_path):
    # 运维自己写的 .env（或更早版本生成的）没有 token：NapCat 不能照抄一个空 token，
    # 否则谁都能连上端口冒充 NapCat。只补 token 这一行，别的设置一字不动
    for mine in (
        'HOST=0.0.0.0\nPORT=9000\nSUPERUSERS=["10001"]\n',
        'HOST=0.0.0.0\nPORT=9000\nONEBOT_ACCESS_TOKEN=\nSUPERUSERS=["10001"]\n',
    ):
        folder = tmp_path / str(len(mine))
        folder.mkdir()
        _folder(folder)
        (folder / ".env").write_text(mine, encoding="utf-8")

        printed = first_run(folder)

        text = (folder / ".env").read_text(encoding="utf-8")
        values = settings(text)
        assert len(values[TOKEN_KEY]) >= 32
        assert {k: v for k, v in values.items() if k != TOKEN_KEY} == {
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "SUPERUSERS": '["10001"]',
        }
        assert "已在 .env 里填上 ONEBOT_ACCESS_TOKEN" in printed
        assert _snippet(printed)["network"]["websocketClients"][0]["token"] == values[TOKEN_KEY]
        # 再运行一次（make napcat 两次）：token 不再变
        again = first_run(folder)
        assert (folder / ".env").read_text(encoding="utf-8") == text
        assert "没有改动" in again
