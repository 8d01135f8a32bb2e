"""人事名单（roster）：Excel 另存的 CSV，列为 姓名,手机,部门，可选 QQ、状态。纯函数。

有名单时，名片只有姓名和电话都对上名单里的一行才算规范（`Roster.match`，收 `cards.parse_card`
拆好的姓名和电话）；名单上没人对上、写的 QQ 也不在公司群里的行就是“未进群”（`absence.py`）。
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cards import CardParts

REQUIRED = ("姓名", "手机")
LEFT_COMPANY = "离职"


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    phone: str
    department: str = ""
    qq: int | None = None
    status: str = ""

    @property
    def has_left(self) -> bool:
        return self.status == LEFT_COMPANY


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    """(行号, 原因)"""

    @cached_property
    def by_phone(self) -> dict[str, RosterRow]:
        return {row.phone: row for row in self.rows}

    def match(self, card: CardParts, user_id: int | None = None) -> RosterRow | None:
        """名片对上的那一行：姓名和电话都对上；那一行写了 QQ 的，只能是 `user_id` 本人——戴着
        没进群的同事的名片，既不替他“进群”，自己的名片也不算对。不知道是谁戴的（`user_id` 为 None）
        时只比姓名和电话。"""
        row = self.by_phone.get(card.phone or "")
        if row is None or row.name != card.name:
            return None
        return row if row.qq is None or user_id is None or row.qq == user_id else None


def _clean(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_roster(text: str) -> Roster:
    """解析名单；表头缺列时整份拒绝（行号 1），坏行逐行拒绝并说明原因。"""
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    headers = [_clean(h) for h in reader.fieldnames or []]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        return Roster(rejected=[(1, f"表头缺少列：{'、'.join(missing)}（应为 姓名,手机,部门）")])
    reader.fieldnames = headers
    roster = Roster()
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {key: _clean(value) for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        phone = re.sub(r"[\s-]", "", row.get("手机", ""))
        qq_text = row.get("QQ", "")
        if not row.get("姓名"):
            roster.rejected.append((number, "姓名为空"))
        elif not re.fullmatch(r"1[3-9]\d{9}", phone):
            roster.rejected.append((number, "手机号应为 11 位数字"))
        elif qq_text and not qq_text.isdigit():
            roster.rejected.append((number, "QQ 应为数字"))
        elif phone in seen:
            roster.rejected.append((number, f"手机号与第 {seen[phone]} 行重复"))
        else:
            seen[phone] = number
            roster.rows.append(
                RosterRow(
                    line=number,
                    name=row["姓名"],
                    phone=phone,
                    department=row.get("部门", ""),
                    qq=int(qq_text) if qq_text else None,
                    status=row.get("状态", ""),
                )
            )
    return roster


def load_roster(path: Path) -> Roster:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Roster(rejected=[(0, f"名单文件 {path} 不存在")])
    except UnicodeDecodeError:
        return Roster(rejected=[(0, "名单文件不是 UTF-8 编码：在 Excel 里另存为「CSV UTF-8」")])
    return parse_roster(text)
