# Every target is a thin wrapper over scripts/; `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help run test setup train train-force console actions rasa bot dashboard users migrate rekey validate clean reload rollback

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## set up and run the whole assistant (console chat when TELEGRAM_BOT_TOKEN is unset)
	@bash scripts/run.sh

test: ## set up and run the whole test suite
	@bash scripts/test.sh

setup: ## create or update the two Python environments
	@bash scripts/setup.sh

train: ## train the Rasa model if data, domain, config or components changed
	@bash scripts/train.sh

train-force: ## train the Rasa model even if nothing changed
	@bash scripts/train.sh --force

reload: ## train, check against the F1 floor, then load the new model into the running assistant (ARGS="--model PATH" or "--skip-train")
	@bash scripts/reload.sh $(ARGS)

rollback: ## put the model that was live before the last reload back, and load it
	@bash scripts/reload.sh --rollback

migrate: ## bring the referral database schema up to date
	@source scripts/env.sh && .venv/app/bin/python -m store.migrate

rekey: ## re-encrypt personal data under the first key of DATA_ENCRYPTION_KEYS (key rotation)
	@source scripts/env.sh && .venv/app/bin/python -m store.rekey

validate: ## check the training data, domain, gazetteer and content (rasa data validate + our checks)
	@source scripts/env.sh && .venv/rasa/bin/rasa data validate --config config.yml --domain domain.yml --data nlu/data
	@source scripts/env.sh && .venv/app/bin/python -m nlu.checks

actions: ## run only the action server
	@source scripts/env.sh && .venv/app/bin/python -m actions --port $${ACTION_PORT}

rasa: ## run only the Rasa server (on 127.0.0.1; its HTTP API needs RASA_API_TOKEN)
	@source scripts/env.sh && ensure_dotenv && .venv/rasa/bin/python -m nlu.serve --model models/current.tar.gz --port $${RASA_PORT} --endpoints endpoints.yml --credentials credentials.yml --logging-config-file logging.yml

bot: ## run only the bot (Telegram, or the console chat without a token)
	@source scripts/env.sh && .venv/app/bin/python -m bot

dashboard: ## run only the caseworker dashboard (http://127.0.0.1:8000 by default)
	@bash scripts/dashboard.sh

users: ## dashboard accounts: make users ARGS="create --username amal --role caseworker --governorates anbar"
	@source scripts/env.sh && .venv/app/bin/python -m dashboard.users $(or $(ARGS),--help)

clean: ## remove trained models, results and local databases (keeps the environments)
	rm -rf models results var

.PHONY: review-export

review-export: ## write messages trainers labelled on /review into nlu/data/nlu/reviewed.yml
	@source scripts/env.sh && .venv/app/bin/python -m store.review export

.PHONY: evaluate cross-validate benchmark eval-data load-benchmark

evaluate: ## held-out NLU evaluation of a model trained from the data as it is (aside, not live; fails below the floor)
	@bash scripts/reload.sh --evaluate-only

cross-validate: ## 5-fold cross-validation of the NLU pipeline (results/cross-validation)
	@source scripts/env.sh && .venv/rasa/bin/rasa test nlu --nlu nlu/data --config config.yml \
		--cross-validation --folds 5 --out results/cross-validation

benchmark: ## keyword and TF-IDF baselines against our pipeline (results/benchmark.json)
	@source scripts/env.sh && .venv/rasa/bin/python -m evaluation.benchmark

eval-data: ## MentalQA and Iraqi tweets through the model and the safety net (counts only)
	@bash scripts/train.sh && source scripts/env.sh && .venv/rasa/bin/python -m evaluation.eval_data

load-benchmark: ## 200 simulated Telegram users × 10 messages through the whole stack (results/load.json); ARGS="--users 50 --database-url postgresql://…"
	@bash scripts/train.sh && source scripts/env.sh && .venv/app/bin/python -m evaluation.load $(ARGS)
