"""第一次运行：从 .env.example 写出 .env，填上随机的 ONEBOT_ACCESS_TOKEN，打印贴进 NapCat 的配置。

`make run` 在没有 .env 时调用它。已有的 .env 从不覆盖（里面可能已经是运维改好的设置和 NapCat 正在用的 token），
只在它没有 token（没有这一行，或留空）时补上这一行。
token 从不留空：留空时任何能连上端口的程序都能冒充 NapCat 给机器人发事件。
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from pathlib import Path

TOKEN_KEY = "ONEBOT_ACCESS_TOKEN"


def settings(text: str) -> dict[str, str]:
    """.env 里的 `键=值`（不管注释和空行）。"""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def with_token(example: str, token: str) -> str:
    """把示例里空着的 token 换成 `token`；示例里没有这一行时加在末尾。"""
    pattern = re.compile(rf"^{TOKEN_KEY}=.*$", re.MULTILINE)
    if pattern.search(example):
        return pattern.sub(f"{TOKEN_KEY}={token}", example, count=1)
    return example.rstrip("\n") + f"\n{TOKEN_KEY}={token}\n"


def napcat_snippet(values: dict[str, str]) -> str:
    """贴进 NapCat「网络配置」的 WebSocket 客户端（反向 WebSocket），地址和 token 已填好。"""
    host = values.get("HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):
        host = "本机的IP"  # 监听所有地址时，NapCat 要填的是它能连到的那个地址
    client = {
        "name": "qungui",
        "enable": True,
        "url": f"ws://{host}:{values.get('PORT', '8080')}/onebot/v11/ws",
        "messagePostFormat": "array",
        "reportSelfMessage": False,
        "reconnectInterval": 5000,
        "token": values.get(TOKEN_KEY, ""),
        "heartInterval": 30000,
    }
    return json.dumps({"network": {"websocketClients": [client]}}, ensure_ascii=False, indent=2)


def first_run(folder: Path) -> str:
    """在 `folder` 里准备 .env，返回要打印给运维看的话。"""
    env = folder / ".env"
    if env.exists():
        text = env.read_text(encoding="utf-8")
        values = settings(text)
        head = ".env 已存在，没有改动它。"
        if not values.get(TOKEN_KEY):
            text = with_token(text, secrets.token_urlsafe(32))
            env.write_text(text, encoding="utf-8")
            values = settings(text)
            head = (
                f".env 已存在，但没有 token：已在 .env 里填上 {TOKEN_KEY}（一串随机字符），"
                "别的设置没有改动。NapCat 要填同一串。"
            )
    else:
        example = (folder / ".env.example").read_text(encoding="utf-8")
        text = with_token(example, secrets.token_urlsafe(32))
        env.write_text(text, encoding="utf-8")
        values = settings(text)
        head = "已生成 .env，其中 ONEBOT_ACCESS_TOKEN 是一串随机字符（NapCat 要填同一串）。"
    return "\n".join(
        [
            head,
            "把下面这段加进 NapCat 的网络配置（WebUI 的「网络配置」，或 onebot11_<QQ号>.json）：",
            napcat_snippet(values),
            "NapCat 在 Docker 里、机器人在宿主机上时：.env 的 HOST 改成 0.0.0.0，"
            "url 里的地址填宿主机在 Docker 网络里的地址（通常是 172.17.0.1，"
            "或 host.docker.internal）。",
        ]
    )


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    print(first_run(folder))
