"""排行图片：一张干净的表格（组织名和月份作标题，前几名和末尾几名两段），用 Pillow 在本机画。

中文字体：制度里写了路径就用它，否则取 `fc-list :lang=zh file` 列出的第一个文件。不用 `fc-match`：
它在没有中文字体的机器上也会返回一个字体，画出来的中文全是方框。找不到字体时只发文字。
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .dates import month_label
from .month_end import MonthBoard, Row
from .outgoing import mask_digits
from .policy import Policy

log = logging.getLogger("qungui.board_image")

WIDTH = 800
ROW = 44
PAD = 28
_COLUMNS = (("名次", 0), ("姓名", 90), ("积分", 380), ("分享天数", 500), ("连续奖励", 630))
_INK, _MUTED, _LINE, _BAND = (33, 37, 41), (108, 117, 125), (222, 226, 230), (241, 243, 245)
_ACCENT = (176, 42, 55)


def system_cjk_font() -> Path | None:
    """fc-list 列出的第一个支持中文的字体文件。"""
    if shutil.which("fc-list") is None:
        return None
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(listed.splitlines()):
        path = Path(line.split(":")[0].strip())
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=8)
def _find_font(configured: str) -> Path | None:
    # 每个配置只找一次、只记一次日志：字体不会在运行中出现或消失
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        log.warning("leaderboard.font 指向的字体 %s 不存在，排行只发文字", configured)
        return None
    found = system_cjk_font()
    if found is None:
        log.warning(
            "找不到中文字体（fc-list :lang=zh 为空），排行只发文字；"
            "可安装 fonts-wqy-microhei 或在 leaderboard.font 写字体路径"
        )
    return found


def find_font(policy: Policy) -> Path | None:
    return _find_font(policy.leaderboard.font)


def forget_fonts() -> None:
    _find_font.cache_clear()


def render(policy: Policy, board: MonthBoard, font_path: Path, *, preview: bool = False) -> bytes:
    """画成 PNG。名字过长时截断；只有名字和分数，没有电话和 QQ 号：图片不经过发送时的打码，
    每段字画之前都像群消息一样打码（以前的快照里存的名字可能带着号码）。"""
    title_font = ImageFont.truetype(str(font_path), 34)
    font = ImageFont.truetype(str(font_path), 24)
    small = ImageFont.truetype(str(font_path), 20)
    settings = policy.leaderboard
    top = board.top(settings.top)
    bottom = board.bottom(settings.top, settings.bottom)
    sections = [(f"前 {len(top)} 名", top)] + (
        [(settings.bottom_title.rstrip("：:"), bottom)] if bottom else []
    )
    rows = sum(len(rows) + 2 for _, rows in sections)
    height = PAD * 2 + 70 + rows * ROW + 70
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = _MaskedDraw(image)
    title = f"{board.org_name} {month_label(board.month)} 积分排行" + (
        "（预览）" if preview else ""
    )
    draw.text((PAD, PAD), title, font=title_font, fill=_INK)
    y = PAD + 70
    for label, section in sections:
        draw.text((PAD, y + 8), label, font=font, fill=_ACCENT)
        y += ROW
        for text, x in _COLUMNS:
            draw.text((PAD + x, y + 10), text, font=small, fill=_MUTED)
        draw.line((PAD, y + ROW - 2, WIDTH - PAD, y + ROW - 2), fill=_LINE, width=2)
        y += ROW
        for i, row in enumerate(section):
            if i % 2:
                draw.rectangle((PAD, y, WIDTH - PAD, y + ROW), fill=_BAND)
            _draw_row(draw, row, y, font, policy.share.streak_bonus)
            y += ROW
    summary = (
        f"共 {len(board.rows)} 人，平均 {board.average:.1f} 分，"
        f"{board.streaks} 人连续分享满 {policy.share.streak_days} 天"
    )
    draw.text((PAD, y + 24), summary, font=small, fill=_MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class _MaskedDraw(ImageDraw.ImageDraw):
    def text(self, xy, text, *args, **kwargs) -> None:
        super().text(xy, mask_digits(text), *args, **kwargs)


def _draw_row(draw: ImageDraw.ImageDraw, row: Row, y: int, font, bonus: int) -> None:
    # 先打码再截断：截断不会把号码切成不足 7 位的两半漏出来
    name = mask_digits(row.name)
    name = name if len(name) <= 12 else name[:11] + "…"
    streak = f"+{bonus}" if row.streak else ""
    cells = (str(row.rank), name, str(row.points), str(row.share_days), streak)
    for (_, x), text in zip(_COLUMNS, cells, strict=True):
        draw.text((PAD + x, y + 8), text, font=font, fill=_INK)
