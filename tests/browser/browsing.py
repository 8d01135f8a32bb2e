"""浏览器测试的帮手：一页浏览器（Tab）、用 /后台 私聊来的登录链接登录、需要时存截图。"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import ConsoleMessage, Error, Page, Response

from tests.e2e.harness import REPO, Running

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = os.environ.get("QUNGUI_SCREENSHOTS") == "1"
"""为 1 时把 今日、本月 的截图存到 docs/images/（make screenshots），README 里用"""
IMAGES = REPO / "docs" / "images"
LOGIN_LINK = re.compile(r"(?P<base>https?://[\w.:-]+)/qungui/login\?token=[\w-]{43,}")
"""登录链接：令牌是至少 32 字节随机数的 url-safe base64"""


def link_in(reply: str, running: Running) -> str:
    """机器人回 /后台 的私聊里的登录链接：以 QUNGUI_WEB_URL 开头。"""
    match = LOGIN_LINK.search(reply)
    assert match, reply
    assert match["base"] == running.bot.extra_env["QUNGUI_WEB_URL"], reply
    return match[0]


async def login_link(running: Running, user_id: int) -> str:
    """这个人私聊机器人发 /后台，从机器人回他的私聊里取出登录链接。"""
    return link_in(await running.qq.private_says("/后台", user_id=user_id), running)


@dataclass
class Tab:
    page: Page
    running: Running
    errors: list[str] = field(default_factory=list)
    """控制台的错误和页面里没接住的异常"""

    @property
    def base(self) -> str:
        return self.running.bot.extra_env["QUNGUI_WEB_URL"]

    def console(self, message: ConsoleMessage) -> None:
        source = message.location["url"]
        # /favicon.ico 是 chromium 自己去要的，页面没有引用它：不算页面的错误
        if message.type == "error" and source != f"{self.base}/favicon.ico":
            self.errors.append(f"{source}: {message.text}")

    def uncaught(self, error: Error) -> None:
        self.errors.append(f"{self.page.url}: {error}")

    async def open(self, path: str) -> Response:
        response = await self.page.goto(self.base + path)
        assert response is not None
        return response

    async def log_in(self, user_id: int) -> Response:
        """用 /后台 的链接登录；返回跳转之后落地的那一页。"""
        response = await self.page.goto(await login_link(self.running, user_id))
        assert response is not None
        return response

    async def h1(self) -> str:
        return (await self.page.locator("h1").inner_text()).strip()

    async def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            IMAGES.mkdir(parents=True, exist_ok=True)
            await self.page.screenshot(path=IMAGES / f"{name}.png")
