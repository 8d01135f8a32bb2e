# 在一台只有 Python 3.11、pip 和 make 的新机器上：
#   make napcat 第一次运行时生成 .env（随机 token），打印贴进 NapCat 的配置
#   make run    安装依赖并启动机器人（SQLite，config/policy.toml，ws://127.0.0.1:8080/onebot/v11/ws）
#   make test   安装依赖并运行全部测试（含 ruff 检查）
#   make test-postgres  同一套测试跑在 PostgreSQL 上（QUNGUI_TEST_DB_URL，缺省本机 5432 的 postgres 用户）
#   make test-utc   单元和插件测试再跑一遍，服务器时区换成 UTC（组织的时区不是服务器的）
#   make mutation   变异测试核心规则（mutmut，两个核约半小时；不在 make test 里），按模块打印得分
#   make demo   在模拟的群里走一遍真实协议，打印聊天记录
#   make screenshots  浏览器测试里顺便给 今日、本月 两页截图，存到 docs/images/（README 里用）
#   make bench  五项基准（普通聊天、命令、月底、名片检查、线上），与同一次运行里量的基线比较；
#               以及内容过滤在标注语料上的精确率、召回率（bench/filter_quality.py）；
#               网页后台每页背后的查询，SQLite 和（连得上时）本机 PostgreSQL 各一行（bench/dashboard.py）
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run napcat test test-postgres test-utc mutation lint demo bench screenshots

QUNGUI_TEST_DB_URL ?= postgres://postgres@127.0.0.1:5432/postgres

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

.env:
	$(BIN)/python -m scripts.first_run

# 再看一次贴进 NapCat 的配置（地址和 token 取自 .env）
napcat: $(STAMP)
	$(BIN)/python -m scripts.first_run

run: $(STAMP) .env
	$(BIN)/python bot.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	TZ=Asia/Shanghai $(BIN)/python -m pytest -q

# 测试制度的组织在上海；服务器也在上海时，错用服务器时区的代码照样算对
test-utc: $(STAMP)
	TZ=UTC $(BIN)/python -m pytest -q tests/unit tests/plugins

# 配置在 pyproject.toml 的 [tool.mutmut]；中断后再运行从断处接着做，结果在 mutants/，
# 跑完或停下后存进 docs/mutation-results.json（新克隆的仓库也从那里接着做，见 docs/mutation.md）
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,mutation]"
	$(BIN)/python -m scripts.mutation_results load
	TZ=Asia/Shanghai HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run; \
	$(BIN)/python -m scripts.mutation_results save
	$(BIN)/python -m scripts.mutation_score

test-postgres: $(STAMP)
	QUNGUI_TEST_DB_URL=$(QUNGUI_TEST_DB_URL) TZ=Asia/Shanghai $(BIN)/python -m pytest -q

screenshots: $(STAMP)
	QUNGUI_SCREENSHOTS=1 TZ=Asia/Shanghai $(BIN)/python -m pytest -q tests/browser/test_month_browser.py

demo: $(STAMP)
	$(BIN)/python -m scripts.demo

bench: $(STAMP)
	$(BIN)/python -m bench.plain_chat
	$(BIN)/python -m bench.suite
	$(BIN)/python -m bench.filter_quality
	$(BIN)/python -m bench.dashboard
