"""每个组织的人事名单文件：按制度里的路径读入（`qungui.roster` 解析），/名单 重载 时重读。"""

from pathlib import Path

from nonebot import logger

from qungui.policy import Policy
from qungui.roster import Roster, load_roster


class Rosters:
    def __init__(self) -> None:
        self._loaded: dict[str, tuple[str, Roster]] = {}

    def get(self, policy: Policy) -> Roster | None:
        """该组织的名单；制度里没配名单时为 None。第一次用到（或路径变了）时读文件。"""
        path = policy.roster.file
        if not path:
            return None
        loaded = self._loaded.get(policy.id)
        if loaded is None or loaded[0] != path:
            return self.reload(policy)
        return loaded[1]

    def reload(self, policy: Policy) -> Roster | None:
        if not policy.roster.file:
            self._loaded.pop(policy.id, None)
            return None
        roster = load_roster(Path(policy.roster.file))
        for line, why in roster.rejected:
            logger.warning(f"名单 {policy.roster.file} 第 {line} 行：{why}")
        self._loaded[policy.id] = (policy.roster.file, roster)
        return roster


rosters = Rosters()
