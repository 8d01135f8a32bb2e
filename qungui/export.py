"""给人事的月度导出：一个 .xlsx——排行、成员×日期的分享矩阵、当月全部账本记录、当月的通知和确认率，
以及当月的申报、当月提出的申诉和各自的结果。"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import appeals, claims, leave, members, notices, rules
from .dates import local_time, month_days
from .models import LedgerEntry
from .month_end import board
from .policy import Policy

ON_TIME, LATE, MISSING = "✓", "补", "—"
LEAVE, HOLIDAY = "假", "休"
"""没分享、但那天不用分享：请假、节假日（那天分享了的照样是 ✓ 或 补）"""
_HEAD = Font(bold=True)
_LATE_FILL = PatternFill("solid", fgColor="FFF3CD")
_MISSING_FILL = PatternFill("solid", fgColor="F8D7DA")
_OFF_FILL = PatternFill("solid", fgColor="E2E3E5")


def _header(sheet, titles: list[str], widths: list[int]) -> None:
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = _HEAD
        cell.alignment = Alignment(horizontal="center")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


async def write(policy: Policy, month: str, exclude: Iterable[int], path: Path) -> Path:
    first, last = month_days(month)
    standings = await board(policy, month, exclude)
    entries = (
        await LedgerEntry.filter(org=policy.id, business_date__gte=first, business_date__lte=last)
        .order_by("id")
        .all()
    )
    reversed_by = {e.reverses: e.id for e in entries if e.reverses is not None}
    # 月内的记录也可能在月外被撤销（冻结前）：一起查出来
    outside = await LedgerEntry.filter(
        org=policy.id, reverses__in=[e.id for e in entries if e.id not in reversed_by]
    ).values_list("reverses", "id")
    reversed_by.update(dict(outside))
    people = [row.user_id for row in standings.rows]
    names = {row.user_id: row.name for row in standings.rows}
    actors = {e.actor_id for e in entries if e.actor_id} | {e.user_id for e in entries}
    names = await members.display_names(policy, actors - set(names)) | names

    book = Workbook()
    sheet = book.active
    sheet.title = "排行"
    _header(
        sheet, ["名次", "姓名", "QQ", "积分", "分享天数", "连续分享奖励"], [8, 16, 14, 10, 10, 14]
    )
    for row in standings.rows:
        sheet.append(
            [
                row.rank,
                row.name,
                row.user_id,
                row.points,
                row.share_days,
                "是" if row.streak else "",
            ]
        )

    off = await leave.calendar(policy, first, last)
    _share_sheet(book, policy, first, last, people, names, entries, set(reversed_by), off)

    sheet = book.create_sheet("账本")
    _header(
        sheet,
        [
            "编号",
            "营业日",
            "QQ",
            "姓名",
            "分数",
            "规则",
            "理由",
            "操作人",
            "操作人角色",
            "撤销了",
            "被撤销于",
        ],
        [8, 12, 14, 14, 8, 18, 36, 14, 12, 10, 10],
    )
    for e in entries:
        sheet.append(
            [
                e.id,
                e.business_date,
                e.user_id,
                names.get(e.user_id, ""),
                e.delta,
                rules.label(e.rule),
                e.reason,
                e.actor_id or "系统",
                e.actor_role,
                e.reverses,
                reversed_by.get(e.id),
            ]
        )
    await _notice_sheet(book, policy, first, last)
    await _claim_sheet(book, policy, first, last)
    await _appeal_sheet(book, policy, first, last)
    _all_text(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_save, book, path)
    return path


def _save(book: Workbook, path: Path) -> None:
    """先写到同一文件夹里的临时文件，写完再换上：正在下载或上传这个文件的人拿到的总是一张完整的表
    （旧的或新的）；写到一半出错时旧表还在。写一个月几万行要好一会儿，放到线程里，不卡住机器人。"""
    # 临时文件名不带原名：组织全称很长时原名已接近文件系统 255 字节的上限，再加一截就写不出来
    partial = path.with_name(f".{uuid.uuid4().hex}.xlsx.part")
    try:
        book.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _all_text(book) -> None:
    """成员自己写的字（申诉理由、名片上的名字、申报说明）以“=”开头时 openpyxl 会存成公式，人事一打开
    就会计算（可以联网、取别的格子），像“#N/A”的存成错误值。这张表里本来没有公式：一律按文字存。"""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e"):
                    cell.data_type = "s"


def _share_sheet(book, policy, first, last, people, names, entries, undone, off) -> None:
    """每人每天：✓ 当天记上的分享，补 宽限时段或管理员补记的，假 请假、休 节假日（都没分享），— 没有分享。
    “天数”只数分享了的日子。"""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    credited: dict[tuple[int, date], str] = {}
    for e in entries:
        if e.rule != rules.SHARE_DAILY or e.id in undone:
            continue
        on_time = local_time(e.created_at, policy.tz).date() == e.business_date
        credited[(e.user_id, e.business_date)] = ON_TIME if on_time else LATE
    sheet = book.create_sheet("分享")
    _header(
        sheet, ["姓名", "QQ", "天数"] + [f"{d.day}日" for d in days], [16, 14, 8] + [5] * len(days)
    )
    excused = {"holiday": HOLIDAY, "leave": LEAVE}
    for user in people:
        marks = [
            credited.get((user, d)) or excused.get(off.mark(user, d) or "", MISSING) for d in days
        ]
        shared = sum(m in (ON_TIME, LATE) for m in marks)
        sheet.append([names.get(user, ""), user, shared, *marks])
        for cell in sheet[sheet.max_row][3:]:
            cell.alignment = Alignment(horizontal="center")
            if cell.value == LATE:
                cell.fill = _LATE_FILL
            elif cell.value == MISSING:
                cell.fill = _MISSING_FILL
            elif cell.value in (LEAVE, HOLIDAY):
                cell.fill = _OFF_FILL
    sheet.append([])
    sheet.append(
        [
            f"{ON_TIME} 当天分享　{LATE} 次日凌晨宽限时段或管理员补记　{LEAVE} 请假　{HOLIDAY} 节假日"
            f"　{MISSING} 没有分享"
        ]
    )


async def _notice_sheet(book, policy: Policy, first: date, last: date) -> None:
    """当月发出的通知（撤回的不算）：应确认几人、按时、迟到、没确认，和按时确认率。"""
    rates = await notices.month_rates(policy, first, last)
    senders = await members.display_names(policy, {r.notice.sender_id for r in rates})
    sheet = book.create_sheet("通知")
    _header(
        sheet,
        [
            "编号",
            "发出时间",
            "群",
            "发通知的人",
            "内容",
            "应确认",
            "按时",
            "迟到",
            "没确认",
            "按时确认率",
        ],
        [8, 18, 14, 14, 40, 8, 8, 8, 8, 12],
    )
    for rate in rates:
        notice = rate.notice
        sheet.append(
            [
                notice.id,
                f"{notice.created_at.astimezone(policy.tz):%Y-%m-%d %H:%M}",
                notice.group_id,
                senders[notice.sender_id],
                notice.text,
                rate.total,
                rate.on_time,
                rate.late,
                rate.total - rate.on_time - rate.late,
                f"{rate.on_time / rate.total:.0%}" if rate.total else "",
            ]
        )


_CLAIM_OUTCOMES = {"pending": "待审", "confirmed": "已确认", "dismissed": "已驳回"}


async def _claim_sheet(book, policy: Policy, first: date, last: date) -> None:
    """当月（按申报那天）的、和更早申报当月才决定的申报：项目或推广编号、确认的分数、结果和决定人。"""
    rows = await claims.month_rows(policy, first, last)
    people = {r.user_id for r in rows} | {r.decided_by for r in rows if r.decided_by}
    names = await members.display_names(policy, people)
    # 表名就是审核队列里这一类的名字（“申报”），两处说法一致
    sheet = book.create_sheet(rules.REVIEW_CLAIM)
    _header(
        sheet,
        ["审核编号", "申报日", "QQ", "姓名", "申报内容", "分数", "结果", "决定人", "备注"],
        [10, 12, 14, 14, 16, 8, 10, 14, 30],
    )
    for row in rows:
        sheet.append(
            [
                f"审{row.review_id}",
                row.day.isoformat(),
                row.user_id,
                names[row.user_id],
                row.what,
                row.points,
                _CLAIM_OUTCOMES.get(row.status, row.status),
                names[row.decided_by] if row.decided_by else "",
                row.note,
            ]
        )


_APPEAL_OUTCOMES = {"pending": "待审", "confirmed": "成立（已撤销）", "dismissed": "驳回（维持）"}


async def _appeal_sheet(book, policy: Policy, first: date, last: date) -> None:
    """当月（组织时区）提出的、和更早提出当月才决定的申诉：申诉的是哪条记录、理由、结果、谁在什么时候决定的。"""
    since = datetime.combine(first, time.min, policy.tz)
    until = datetime.combine(last + timedelta(days=1), time.min, policy.tz)
    filed = await appeals.filed_or_decided_between(policy, since, until)
    people = {item.appeal.user_id for item in filed}
    people |= {item.decided_by for item in filed if item.decided_by}
    names = await members.display_names(policy, people)
    sheet = book.create_sheet(rules.REVIEW_APPEAL)  # 表名就是审核队列里这一类的名字
    _header(
        sheet,
        [
            "审核编号",
            "提出时间",
            "QQ",
            "姓名",
            "记录编号",
            "记录日期",
            "分数",
            "规则",
            "申诉理由",
            "结果",
            "决定人",
            "决定时间",
            "决定理由",
        ],
        [10, 18, 14, 14, 10, 12, 8, 18, 36, 14, 14, 18, 30],
    )
    for item in filed:
        appeal, entry = item.appeal, item.entry
        sheet.append(
            [
                f"审{appeal.review_id}",
                f"{appeal.created_at.astimezone(policy.tz):%Y-%m-%d %H:%M}",
                appeal.user_id,
                names[appeal.user_id],
                entry.id,
                entry.business_date,
                entry.delta,
                rules.label(entry.rule),
                appeal.text,
                _APPEAL_OUTCOMES.get(item.status, item.status),
                names[item.decided_by] if item.decided_by else "",
                f"{item.decided_at.astimezone(policy.tz):%Y-%m-%d %H:%M}"
                if item.decided_at
                else "",
                item.note,
            ]
        )
