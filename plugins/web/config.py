from pydantic import BaseModel


class Config(BaseModel):
    """网页后台的设置，来自环境变量或 .env。"""

    qungui_web: bool = True
    """false：不挂网页后台的任何地址，/后台 只回答没有开启"""
    qungui_web_url: str = ""
    """登录链接用的对外地址（如 https://qungui.example.com）；留空时是 http://HOST:PORT"""
    qungui_web_session_hours: int = 8
    """登录一次能用多少小时"""


DEFAULT_SESSION_HOURS = 8
MAX_SESSION_HOURS = 24 * 366
"""一年：再长（想要“永不过期”写个 99999999）时到期时刻超过 9999 年，每次登录都出错"""


WILDCARD_HOSTS = ("0.0.0.0", "::", "")
"""监听所有地址：这不是浏览器能打开的地址"""


def link_base(url: str, host: str, port: int) -> str:
    """登录链接的开头：QUNGUI_WEB_URL（去掉末尾的 /），没填时 http://HOST:PORT（IPv6 地址加方括号）。"""
    if url.strip():
        return url.strip().rstrip("/")
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def link_problem(url: str, host: str, port: int) -> str | None:
    """登录链接点不开的设置：启动时告诉运维，不等管理员拿到一个打不开的链接。"""
    url = url.strip()
    if url and not url.lower().startswith(("http://", "https://")):
        return (
            f".env 的 QUNGUI_WEB_URL（{url}）不是 http:// 或 https:// 开头的地址："
            f"/后台 发出的登录链接点不开。请写成 https://{url} 这样，重启生效。"
        )
    if not url and host in WILDCARD_HOSTS:
        return (
            f".env 的 HOST 是 {host}、QUNGUI_WEB_URL 没填：/后台 发出的登录链接会是 "
            f"{link_base(url, host, port)}，别的电脑、手机都打不开。"
            f"请在 .env 填上 QUNGUI_WEB_URL=http://服务器的IP:{port}（或反向代理的 https 地址），重启生效。"
        )
    return None


def session_hours(hours: int) -> tuple[int, str | None]:
    """真正用的会话时长，和要在启动时告诉运维的问题：不是正数时登录后立刻过期（浏览器里只见一次次重新登录），
    太大时算不出到期时刻（每次登录都出错）。"""
    if hours > MAX_SESSION_HOURS:
        return MAX_SESSION_HOURS, (
            f".env 的 QUNGUI_WEB_SESSION_HOURS 是 {hours}：超过一年（{MAX_SESSION_HOURS} 小时）。"
            f"先按 {MAX_SESSION_HOURS} 小时算；请改成不超过 {MAX_SESSION_HOURS} 的正整数，重启生效。"
        )
    if hours > 0:
        return hours, None
    return DEFAULT_SESSION_HOURS, (
        f".env 的 QUNGUI_WEB_SESSION_HOURS 是 {hours}：登录后马上就会过期，网页后台进不去。"
        f"先按 {DEFAULT_SESSION_HOURS} 小时算；请改成正整数（如 8），重启生效。"
    )
