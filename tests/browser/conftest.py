"""浏览器测试的夹具：整个会话一个 chromium，每个测试一个新的浏览器上下文、一个开着网页后台的机器人进程。"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import TEST_POLICY
from tests.e2e.harness import BotProcess, Running, drop_created_databases, running_bot

from .browsing import CHROMIUM, Tab


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    # playwright install 在这里下载不了浏览器：用 Debian 的 chromium 包
    if not CHROMIUM.exists():
        reason = f"没有 {CHROMIUM}：装上 Debian 的 chromium 包（apt-get install chromium）才能跑浏览器测试"
        if os.environ.get("QUNGUI_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        await browser.close()


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[Running]:
    """开着网页后台的机器人进程（登录链接指向它自己的端口），和连上它的假 NapCat。
    制度是测试制度加上 [notices]：通知 一页才有东西可看。"""
    policy = tmp_path / "policy.toml"
    policy.write_text(TEST_POLICY.read_text("utf-8") + "\n[notices]\npenalty = 5\n", "utf-8")
    bot = BotProcess(workdir=tmp_path, policy=policy)
    bot.extra_env.update(QUNGUI_WEB="true", QUNGUI_WEB_URL=f"http://127.0.0.1:{bot.port}")
    try:
        async with running_bot(bot) as state:
            yield state
    finally:
        await drop_created_databases()


@pytest.fixture
async def tab(browser: Browser, web: Running) -> AsyncIterator[Tab]:
    """一个新的浏览器上下文（没有 cookie）里的一页，记下控制台的错误和页面里没接住的异常。"""
    context = await browser.new_context(
        viewport={"width": 1000, "height": 700}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    opened = Tab(page, web)
    page.on("console", opened.console)
    page.on("pageerror", opened.uncaught)
    yield opened
    await context.close()
