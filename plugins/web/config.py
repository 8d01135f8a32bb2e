from pydantic import BaseModel


class Config(BaseModel):
    """网页后台的设置，来自环境变量或 .env。"""

    qungui_web: bool = True
    """false：不挂网页后台的任何地址，/后台 只回答没有开启"""
    qungui_web_url: str = ""
    """登录链接用的对外地址（如 https://qungui.example.com）；留空时是 http://HOST:PORT"""
    qungui_web_session_hours: int = 8
    """登录一次能用多少小时"""
