"""测试环境的拨钟地址：`POST /_test/clock` 拨动时钟并执行到那一刻为止该执行的任务。

这是产品代码（端到端测试靠它拨钟），只在 ENVIRONMENT=test 时挂载，正式环境没有这个地址。"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from qungui import clock


class ClockMove(BaseModel):
    now: datetime


def install_clock_endpoint(
    app: FastAPI, run_due: Callable[[datetime], Awaitable[list[str]]]
) -> None:
    @app.post("/_test/clock")
    async def move_clock(move: ClockMove) -> dict:
        if move.now.tzinfo is None:
            raise HTTPException(
                status_code=422, detail="now 必须带时区，例如 2026-12-01T09:00:00+08:00"
            )
        clock.set_now(move.now)
        return {"now": clock.now().isoformat(), "ran": await run_due(clock.now())}
