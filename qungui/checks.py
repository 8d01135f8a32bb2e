"""每天核对：由账本重建本月和上月的合计，发现不一致时修正并报告。"""

from datetime import timedelta

from . import ledger
from .dates import month_days, month_key
from .jobs import JobContext


async def check_totals(ctx: JobContext) -> str:
    today = ctx.scheduled_at.date()
    months = {month_key(today), month_key(today.replace(day=1) - timedelta(days=1))}
    wrong = 0
    for month in sorted(months):
        first, last = month_days(month)
        wrong += await ledger.rebuild_month_totals(ctx.policy.id, month, first, last)
    return f"合计与账本不一致 {wrong} 人，已按账本修正" if wrong else "合计与账本一致"
