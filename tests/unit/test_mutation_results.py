"""变异测试的结论存进仓库、放回 mutants/：没改过的函数沿用结论，没跑的留空等 mutmut 去跑。"""

import json
from pathlib import Path

from scripts import mutation_results


def meta(codes: dict, hashes: dict) -> dict:
    return {
        "exit_code_by_key": codes,
        "hash_by_function_name": hashes,
        "type_check_error_by_key": {},
        "durations_by_key": {"qungui.ledger.x_award__mutmut_1": 1.5},
        "estimated_durations_by_key": {},
    }


def test_results_saved_from_one_clone_come_back_in_another(tmp_path: Path) -> None:
    here, there = tmp_path / "a" / "mutants" / "qungui", tmp_path / "b" / "mutants" / "qungui"
    here.mkdir(parents=True)
    codes = {
        "qungui.ledger.x_award__mutmut_1": 1,
        "qungui.ledger.x_award__mutmut_2": 0,
        "qungui.ledger.x_reverse__mutmut_1": None,
    }
    (here / "ledger.py.meta").write_text(json.dumps(meta(codes, {"x_award": "abc"})), "utf-8")
    results = tmp_path / "results.json"

    assert mutation_results.save(here, results) == 0
    assert mutation_results.load(there, results) == 0

    back = json.loads((there / "ledger.py.meta").read_text("utf-8"))
    # 没跑的那个不存：放回去后 mutmut 认为它还没有结论，会去跑
    assert back["exit_code_by_key"] == {
        "qungui.ledger.x_award__mutmut_1": 1,
        "qungui.ledger.x_award__mutmut_2": 0,
    }
    assert back["hash_by_function_name"] == {"x_award": "abc"}
    assert set(back) == set(meta({}, {}))


def test_loading_keeps_results_this_machine_already_has(tmp_path: Path) -> None:
    mutants = tmp_path / "mutants" / "qungui"
    mutants.mkdir(parents=True)
    newer = meta({"qungui.cards.x_parse_card__mutmut_1": 1}, {"x_parse_card": "new"})
    (mutants / "cards.py.meta").write_text(json.dumps(newer), "utf-8")
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps(
            {"cards.py": {"hash_by_function_name": {"x_parse_card": "old"}, "exit_code_by_key": {}}}
        ),
        "utf-8",
    )

    mutation_results.load(mutants, results)

    assert json.loads((mutants / "cards.py.meta").read_text("utf-8")) == newer
