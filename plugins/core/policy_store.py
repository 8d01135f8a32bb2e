"""当前生效的制度。/重载群规 校验新文件后整体替换，校验失败保留旧的。"""

from pathlib import Path

from qungui import derived
from qungui.policy import Policies, Policy, load_policies


class PolicyStore:
    def __init__(self, path: Path):
        self.path = path
        self.current: Policies = load_policies(path)

    def reload(self) -> Policies:
        """重新读取；有错时抛出 PolicyError，当前制度不变。"""
        self.current = load_policies(self.path)
        derived.clear()  # 缓存的名字和排名按旧制度（名片格式、例外名单）算的
        return self.current

    def org_of_group(self, group_id: int) -> Policy | None:
        return self.current.org_of_group(group_id)

    def get(self, org: str) -> Policy | None:
        return self.current.orgs.get(org)

    @property
    def all(self) -> list[Policy]:
        return list(self.current.orgs.values())
