"""make mutation 的最后一步：按模块打印变异得分和活下来的变异体（读 mutmut 写在 mutants/ 里的结果）。

得分 = 被测试杀死的 / 检查过的。活下来的每一个都要么补一个测试，要么写进 docs/ 说明它为什么等价或无害。
"""

import json
import sys
from pathlib import Path

KILLED = {1, 3}
"""mutmut 的退出码：1 测试失败，3 pytest 内部错误（也算杀死）"""
TIMEOUT = {24, -24, 36, 152, 255}
"""超时：测试没有通过（多半是在等一个永远不来的回复），和 mutmut 自己的得分一样算作发现了"""
SURVIVED = 0


def main(root: Path = Path("mutants")) -> int:
    metas = sorted(root.glob("qungui/*.py.meta"))
    if not metas:
        print("mutants/ 里没有结果：先运行 mutmut run")
        return 1
    survivors: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        checked = {key: code for key, code in codes.items() if code is not None}
        if not checked:
            continue
        killed = sum(code in KILLED for code in checked.values())
        timeouts = sum(code in TIMEOUT for code in checked.values())
        alive = sorted(key for key, code in checked.items() if code == SURVIVED)
        other = len(checked) - killed - timeouts - len(alive)
        module = meta.name.removesuffix(".py.meta")
        caught = killed + timeouts
        note = f"（其中超时 {timeouts}）" if timeouts else ""
        note += f"，{other} 个可疑" if other else ""
        unchecked = len(codes) - len(checked)
        note += f"，还有 {unchecked} 个没跑" if unchecked else ""
        print(f"{module:12} {caught / len(checked):6.1%}  发现 {caught}/{len(checked)}{note}")
        survivors += alive
    if survivors:
        print("\n活下来的（mutmut show <名字> 看改了什么）：")
        print("\n".join(f"  {name}" for name in survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
