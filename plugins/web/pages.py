"""网页后台的地址：登录、各页、审核按钮、导出、退出。数据都来自 qungui/dashboard.py，
写入（确认、驳回）走聊天命令的那条路（plugins/core/dispatch.py 的 run_for_web）。"""

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from plugins.core import bot_ids, policies, run_for_web
from plugins.leaderboard import write_export
from plugins.system import status_text
from qungui import clock, dashboard, month_end, reviews, shares, web_access
from qungui.dates import local_time, month_key, parse_month
from qungui.outgoing import mask_digits
from qungui.roles import Role, written_number

from . import replies
from .access import COOKIE, Refused, Viewer, current_bot, form, role_of, viewer
from .config import Config

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

# 页面和导出表都不进浏览器缓存：共用的电脑上，退出以后按“后退”不能再看到
NO_STORE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# 审核按钮的结果在 303 之后的那一页显示：按会话记在内存里，显示一次就丢（进程重启丢了也只是少看一句）
_flashes: dict[int, list[str]] = {}


def _page(name: str, status: int = 200, who: Viewer | None = None, **values) -> HTMLResponse:
    if who is not None:
        # 组织名写在导航栏和标题里：属于两个组织的管理员看得出这是哪一个的后台
        values |= {
            "nav": _nav(who),
            "csrf": who.session.csrf,
            "tz": who.policy.tz,
            "org": who.policy.org.name,
        }
    return HTMLResponse(
        templates.get_template(name).render(**values), status_code=status, headers=NO_STORE
    )


def _nav(who: Viewer) -> list[tuple[str, str]]:
    """导航栏：这个人能看的每一页。成员只有自己的那一页；管理员从今日、本月里点名字进各人的成员页
    （管理员、超级用户自己不一定在组织的群里出现过，没有“自己的”成员页）。"""
    if not who.is_admin:
        return [(f"/qungui/member/{who.user_id}", "成员")]
    links = [
        ("/qungui/today", "今日"),
        ("/qungui/month", "本月"),
        ("/qungui/reviews", "待审"),
        ("/qungui/notices", "通知"),
        ("/qungui/export", "导出"),
    ]
    if who.role >= Role.SUPERUSER:
        links.append(("/qungui/status", "状态"))
    return links


def refusal(status: int, text: str) -> HTMLResponse:
    return _page("refusal.html", status, text=text)


def _month(text: str | None, fallback: str) -> str:
    """URL 里的月份；写错了当作找不到。"""
    if not text:
        return fallback
    month = parse_month(text)
    if month is None:
        raise Refused(404, replies.NOT_FOUND)
    return month


def _day(text: str) -> date:
    """URL 里的日期；写错了、或所在的月份不是能查的月份（同 `_month`，日历两头的日子算前后一天会出错），
    都当作找不到。"""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Refused(404, replies.NOT_FOUND) from None
    _month(month_key(day), "")
    return day


def _number(text: str, largest: int = 2**63 - 1) -> int:
    """URL 里的 QQ 号或编号；不是数字、或比库里那一列能存的还大，都当作找不到（而不是框架的 422、库的报错）。"""
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > largest:
        raise Refused(404, replies.NOT_FOUND)
    return int(text)


def _this_month(who: Viewer) -> str:
    return month_key(local_time(clock.now(), who.policy.tz).date())


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    day: date
    count: int


CHART_HEIGHT = 120
BAR_WIDTH = 16


def chart(daily: list[tuple[date, int]]) -> list[Bar]:
    """本月每天的分享人数画成柱：最高的一天顶满，其余按比例。"""
    top = max((count for _, count in daily), default=0) or 1
    bars = []
    for index, (day, count) in enumerate(daily):
        height = round(CHART_HEIGHT * count / top)
        bars.append(Bar(index * (BAR_WIDTH + 4), CHART_HEIGHT - height, height, day, count))
    return bars


def build(config: Config, base_url: str) -> APIRouter:
    router = APIRouter(prefix="/qungui")
    secure = base_url.startswith("https://")

    @router.get("/login")
    async def login(request: Request, token: str = "") -> Response:
        address = request.client.host if request.client else ""
        got = await web_access.redeem(token, config.qungui_web_session_hours)
        if got is None:
            # 只挡用错的令牌：同一出口地址（公司的网络）里有人乱试，别人真的链接照样能用；
            # 令牌有 256 位，挡住乱试为的是少写日志、少查库，而不是怕猜中
            blocked = web_access.too_many_bad(address)
            web_access.bad_token(address)
            return refusal(429, replies.TOO_MANY) if blocked else refusal(403, replies.BAD_TOKEN)
        target = f"/qungui/member/{got.user_id}"
        policy = policies.get(got.org)
        if policy is not None and await role_of(policy, got.user_id, Role.MEMBER) >= Role.ADMIN:
            target = "/qungui/today"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            got.session_id,
            max_age=config.qungui_web_session_hours * 3600,
            path="/qungui",
            secure=secure,
            httponly=True,
            samesite="strict",
        )
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        who = await viewer(request, Role.MEMBER)
        await form(request, who)
        await web_access.logout(request.cookies[COOKIE])
        response = refusal(200, replies.LOGGED_OUT)
        response.delete_cookie(COOKIE, path="/qungui", secure=secure, httponly=True)
        return response

    @router.get("/today")
    async def today(request: Request, day: str = "") -> Response:
        who = await viewer(request)
        shown = _day(day) if day else await shares.share_day(who.policy, clock.now())
        # 机器人自己不列（同提醒、/今日分享）
        groups = await dashboard.today(who.policy, shown, exclude=bot_ids())
        return _page("today.html", who=who, title="今日", day=shown, groups=groups)

    @router.get("/month")
    async def month(request: Request, month: str = "") -> Response:
        who = await viewer(request)
        page = await dashboard.month(who.policy, _month(month, _this_month(who)), exclude=bot_ids())
        return _page(
            "month.html",
            who=who,
            title="本月",
            page=page,
            bars=chart(page.daily),
            chart_height=CHART_HEIGHT,
            bar_width=BAR_WIDTH,
        )

    @router.get("/member/{qq}")
    async def member(request: Request, qq: str, month: str = "") -> Response:
        who = await viewer(request, Role.MEMBER)
        user_id = _number(qq)
        if user_id != who.user_id and not who.is_admin:
            raise Refused(403, replies.NOT_YOURS)
        page = await dashboard.member(who.policy, user_id, _month(month, _this_month(who)))
        if page is None:
            raise Refused(404, replies.NOT_FOUND)
        return _page("member.html", who=who, title="成员", page=page)

    @router.get("/reviews")
    async def review_queue(request: Request) -> Response:
        who = await viewer(request)
        rows = await dashboard.reviews(who.policy)
        flashes = _flashes.pop(who.session.id, [])
        return _page("reviews.html", who=who, title="待审", rows=rows, flashes=flashes)

    async def decide(request: Request, number: str, name: str) -> Response:
        who = await viewer(request)
        fields = await form(request, who)
        review_id = _number(number, largest=2**31 - 1)
        try:
            await reviews.find(who.policy, review_id)
        except reviews.ReviewNotFound:
            raise Refused(404, replies.NOT_FOUND) from None
        bot = current_bot()
        amount = fields.get("amount", "").strip() if name == "确认" else ""
        if bot is None:
            said = [replies.NO_BOT]
        elif amount and written_number(amount) is None:
            # 分数栏只是分数：写进别的词会被命令当成类别（换了扣分）或理由
            said = [replies.BAD_AMOUNT]
        else:
            said = await run_for_web(
                bot,
                who.policy,
                who.user_id,
                name,
                f"审{review_id} {amount}".strip(),
                reason=fields.get("reason", ""),
            )
        _flashes.setdefault(who.session.id, []).extend(mask_digits(text) for text in said)
        return RedirectResponse("/qungui/reviews", status_code=303)

    @router.post("/reviews/{review_id}/confirm")
    async def confirm(request: Request, review_id: str) -> Response:
        return await decide(request, review_id, "确认")

    @router.post("/reviews/{review_id}/dismiss")
    async def dismiss(request: Request, review_id: str) -> Response:
        return await decide(request, review_id, "驳回")

    @router.get("/notices")
    async def notices(request: Request) -> Response:
        who = await viewer(request)
        rows = await dashboard.notices(who.policy)
        return _page("notices.html", who=who, title="通知", rows=rows)

    @router.get("/export")
    async def export_page(request: Request, month: str = "") -> Response:
        who = await viewer(request)
        chosen = _month(month, month_end.previous_month(local_time(clock.now(), who.policy.tz)))
        return _page("export.html", who=who, title="导出", month=chosen)

    @router.get("/export.xlsx")
    async def export_file(request: Request, month: str = "") -> Response:
        who = await viewer(request)
        chosen = _month(month, month_end.previous_month(local_time(clock.now(), who.policy.tz)))
        if chosen > _this_month(who):
            raise Refused(404, replies.NOT_FOUND)
        path = await write_export(who.policy, chosen)
        # 一次读进来再发：按路径发（FileResponse）时先量大小、再打开文件，这中间同一个月的另一次导出
        # 换上了新表，声明的长度就和发出去的对不上，下载中途断开。读进来的总是一张完整的表
        return Response(
            await asyncio.to_thread(path.read_bytes),
            media_type=XLSX,
            headers={
                **NO_STORE,
                "Content-Disposition": f"attachment; filename*=utf-8''{quote(path.name)}",
            },
        )

    @router.get("/status")
    async def status(request: Request) -> Response:
        who = await viewer(request, Role.SUPERUSER)
        return _page("status.html", who=who, title="状态", text=await status_text())

    return router


def install(app: FastAPI, config: Config, base_url: str) -> None:
    app.include_router(build(config, base_url))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return refusal(exc.status, exc.text)
