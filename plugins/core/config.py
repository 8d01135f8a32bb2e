from datetime import datetime
from pathlib import Path

from pydantic import BaseModel


class Config(BaseModel):
    """qungui 的运行设置，来自环境变量或 .env。"""

    qungui_policy_file: Path = Path("config/policy.toml")
    """制度文件，或每个组织一个 .toml 的文件夹"""
    qungui_db_url: str = ""
    """数据库地址；留空时用 localstore 数据目录下的 SQLite 文件"""
    qungui_send_interval: float = 1.0
    """两条群消息之间至少间隔的秒数（测试设为 0）"""
    qungui_send_jitter: float = 0.5
    """在间隔上再随机加的最多秒数"""
    qungui_react_interval: float = 0.5
    """机器人给分享点表情时，两个表情之间至少间隔的秒数（与发消息分开排队）"""
    qungui_send_backoff: float = 60.0
    """发送失败（风控、断线）后暂停多少秒；再失败加倍，最多 30 分钟"""
    qungui_clock_start: datetime | None = None
    """仅测试环境：启动时把时钟拨到这一刻（带时区）"""
    qungui_test_crash_at: str = ""
    """仅测试环境：到了这个步骤（如 month.close.before_post）进程立即退出，模拟 kill -9"""
    qungui_test_raise_at: str = ""
    """仅测试环境：第一次到这个步骤时抛出异常，模拟一次出错（之后照常）"""
