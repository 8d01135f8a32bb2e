"""网页后台在真的机器人进程里：QUNGUI_WEB=false 时一个地址也没有、/后台 说没开；
QUNGUI_WEB_URL 是 https 时链接用它、Cookie 带 Secure，登录后的管理员进得了待审页。"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.conftest import TEST_POLICY
from tests.fake import ADMIN

from .harness import BotProcess, FakeOneBot


@asynccontextmanager
async def bot_with(tmp_path: Path, **env: str) -> AsyncIterator[tuple[BotProcess, FakeOneBot]]:
    bot = BotProcess(workdir=tmp_path, policy=TEST_POLICY, extra_env=env)
    await bot.start()
    qq = FakeOneBot(bot.ws_url)
    try:
        await qq.connect()
        yield bot, qq
    finally:
        await qq.close()
        assert await bot.stop() == 0, bot.log()
    assert "Traceback" not in bot.log(), bot.log()


async def test_web_off_serves_nothing_and_says_so(tmp_path: Path) -> None:
    async with bot_with(tmp_path, QUNGUI_WEB="false") as (bot, qq):
        assert await qq.private_says("/后台", user_id=ADMIN) == "网页后台没有开启。"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.port}") as client:
            assert (await client.get("/qungui/login?token=x")).status_code == 404
            assert (await client.get("/qungui/today")).status_code == 404
        assert await bot.count("SELECT COUNT(*) FROM web_token") == 0


async def test_an_https_base_url_gives_its_links_and_secure_cookies(tmp_path: Path) -> None:
    async with bot_with(tmp_path, QUNGUI_WEB_URL="https://qungui.example.com/") as (bot, qq):
        said = await qq.private_says("/后台", user_id=ADMIN)
        found = re.search(r"https://qungui\.example\.com/qungui/login\?token=([\w-]{43,})$", said)
        assert found, said
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.port}") as client:
            response = await client.get(f"/qungui/login?token={found[1]}")
            assert (response.status_code, response.headers["location"]) == (303, "/qungui/today")
            flags = {p.strip().lower() for p in response.headers["set-cookie"].split(";")[1:]}
            assert {"secure", "httponly", "samesite=strict", "path=/qungui"} <= flags
            # 浏览器只经 https 送回 Secure 的 Cookie：这里像 https 反向代理转来的请求那样带上它
            cookie = f"qungui_session={response.cookies['qungui_session']}"
            page = await client.get("/qungui/notices", headers={"Cookie": cookie})
            assert page.status_code == 200
            assert "<h1>通知</h1>" in page.text
