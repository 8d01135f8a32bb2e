"""变异测试的结果随仓库保存，换一台机器接着跑。

整轮 `make mutation` 在两个核上要两个小时左右，一次会话常常跑不完；而 `mutants/` 不进仓库，新克隆的
仓库又得从头来。这里把每个变异体的结论（连同它所在函数的摘要）写进 `docs/mutation-results.json`：

- `python -m scripts.mutation_results save`：从 `mutants/` 里读出已有结论，写进那个文件（跑完或中途停下后）。
- `python -m scripts.mutation_results load`：在 `mutmut run` 之前把结论放回 `mutants/`。mutmut 生成变异体时
  按函数摘要比对：函数没改过的沿用结论、不再重跑；改过的（摘要变了）全部重跑。

沿用的结论是在当时的测试上得出的：之后补的测试只会杀死更多，不会让杀死的复活；删测试时请整轮重跑。
"""

import json
import sys
from pathlib import Path

RESULTS = Path("docs/mutation-results.json")
MUTANTS = Path("mutants/qungui")


def save(mutants: Path = MUTANTS, results: Path = RESULTS) -> int:
    saved = {}
    for meta in sorted(mutants.glob("*.py.meta")):
        data = json.loads(meta.read_text("utf-8"))
        codes = {key: code for key, code in data["exit_code_by_key"].items() if code is not None}
        saved[meta.name.removesuffix(".meta")] = {
            "hash_by_function_name": data["hash_by_function_name"],
            "exit_code_by_key": dict(sorted(codes.items())),
        }
    if not saved:
        print(f"{mutants} 里没有结果：先运行 mutmut run")
        return 1
    results.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", "utf-8")
    count = sum(len(module["exit_code_by_key"]) for module in saved.values())
    print(f"已把 {count} 个变异体的结论写进 {results}")
    return 0


def load(mutants: Path = MUTANTS, results: Path = RESULTS) -> int:
    if not results.exists():
        print(f"没有 {results}：从头跑")
        return 0
    mutants.mkdir(parents=True, exist_ok=True)
    for source, module in json.loads(results.read_text("utf-8")).items():
        meta = mutants / f"{source}.meta"
        if meta.exists():
            continue  # 本机已有更新的结论
        # mutmut 读 .meta 的格式（mutmut.mutation.data.SourceFileMutationData）；耗时留空，它会重新估
        meta.write_text(
            json.dumps(
                {
                    "exit_code_by_key": module["exit_code_by_key"],
                    "hash_by_function_name": module["hash_by_function_name"],
                    "type_check_error_by_key": {},
                    "durations_by_key": {},
                    "estimated_durations_by_key": {},
                }
            ),
            "utf-8",
        )
    print(f"已从 {results} 放回上次的结论：没改过的函数不再重跑")
    return 0


if __name__ == "__main__":
    commands = {"save": save, "load": load}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print("用法：python -m scripts.mutation_results save|load")
        sys.exit(2)
    sys.exit(commands[sys.argv[1]]())
