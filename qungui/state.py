"""本进程里按组织记住的东西，都在这一个对象里；`reset()` 一次清空。

这些都只是省事的缓存或“说过一次就不再说”的记号：进程重启、换数据库（测试里每个用例一个新库）时
清空不会改变任何结果，只会多查一次库或多说一句。必须跨进程成立的规则（例如两条相同的分享只算先到的）
不放在这里，而是靠数据库（唯一约束、事务里的锁）。

core 插件在启动和换数据库时调用 `STATE.reset()`；规则模块用 `STATE.org(组织)` 取本组织的那一份。
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class OrgState:
    """一个组织在本进程里记住的东西。"""

    frozen_months: set[str] = field(default_factory=set)
    """已冻结的月份（`YYYY-MM`）。冻结不会撤回，所以只记“已冻结”"""
    written_members: dict[tuple[int, int], tuple[str, str, str]] = field(default_factory=dict)
    """(群, QQ) → 最近写进成员表的 (名片, 昵称, 身份)：没变就不写库"""
    not_found: set[int] = field(default_factory=set)
    """问过 NapCat、组织的哪个群都说不认识的 QQ：本次运行不再问"""
    derived_versions: dict[str, int] = field(default_factory=dict)
    """派生数据的主题 → 本进程改过几次（缓存的版本号）"""
    told_not_original: set[tuple[int, date]] = field(default_factory=set)
    """(QQ, 分享日)：已经提醒过“不算原创”，当天不再提醒"""
    told_several: set[tuple[int, int, tuple[int, ...]]] = field(default_factory=set)
    """(群, QQ, 他没确认的那几条通知)：有几条通知时“请引用”只说一次"""
    told_not_admin: set[int] = field(default_factory=set)
    """已经说过“机器人不是管理员，发不了群公告”的群"""
    told_no_essence: set[int] = field(default_factory=set)
    """已经在 /精选 的回复里说过“机器人不是管理员，没有设为 QQ 精华”的群"""


@dataclass
class Batch:
    """一种攒批消息在本进程里攒着的东西。丢了只是少说一句致谢或点名（进程重启也一样）。"""

    pending: dict[int, list[str]] = field(default_factory=dict)
    """群 → 攒着、还没发的条目"""
    last_sent: dict[int, datetime] = field(default_factory=dict)
    """群 → 上次发出的时刻：窗口没过就先攒着"""
    bots: dict[int, Any] = field(default_factory=dict)
    """群 → 最后一次添条目的机器人连接（发的时候按它的账号找现在在线的连接）"""


class ProcessState:
    """所有组织的 `OrgState`，加上不分组织的：派生数据缓存、问过 QQ 的群身份、攒着的批消息。"""

    def __init__(self) -> None:
        self._orgs: dict[str, OrgState] = {}
        self.derived_entries: dict[Hashable, tuple[float, tuple[int, ...], Any]] = {}
        """派生数据缓存：键 → (过期时刻, 版本号, 值)；键里带着组织"""
        self.group_roles: dict[tuple[str, int, int], tuple[str, float]] = {}
        """(机器人, 群, QQ) → (QQ 刚说的身份 owner/admin/member, 缓存到的单调时刻)：
        机器人要做管理动作、有人私聊用管理命令之前问过的，短暂缓存"""
        self.group_names: dict[int, str] = {}
        """群号 → 群名（NapCat 在每条群消息里带着 group_name）：给管理员的通知里说群名，不说群号"""
        self.batches: dict[str, Batch] = {}
        """攒批的群消息（“以下分享不算原创”“感谢改好名片”）：批的名字 → 攒着的条目和上次发送时刻"""
        self.ignored_groups: set[int] = set()
        """发来过消息、但不在任何组织制度里的群：日志里只说一次“已忽略”"""
        self.bad_logins: dict[str, list[datetime]] = {}
        """客户端地址 → 最近一分钟里用错登录令牌的时刻。只在内存里：令牌有 32 字节随机数，
        这个限制只是让乱试的人慢下来，重启后从零数起也不会让谁猜中；写库反倒让乱试的请求也能写库"""
        self.bad_logins_pruned_at: datetime | None = None
        """上次把 `bad_logins` 里一分钟前的地址清掉的时刻"""

    def batch(self, name: str) -> Batch:
        found = self.batches.get(name)
        if found is None:
            found = self.batches[name] = Batch()
        return found

    def org(self, org: str) -> OrgState:
        state = self._orgs.get(org)
        if state is None:
            state = self._orgs[org] = OrgState()
        return state

    def orgs(self) -> list[OrgState]:
        """本进程记着东西的那些组织的 `OrgState`。"""
        return list(self._orgs.values())

    def reset(self) -> None:
        """清空一切：启动时、换数据库时（测试里每个用例一个新库）。"""
        self._orgs.clear()
        self.derived_entries.clear()
        self.group_roles.clear()
        self.group_names.clear()
        self.batches.clear()
        self.ignored_groups.clear()
        self.bad_logins.clear()
        self.bad_logins_pruned_at = None


STATE = ProcessState()
