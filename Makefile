# Every target is a thin wrapper over scripts/; `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help run test setup train train-force console actions rasa bot migrate validate clean

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

migrate: ## bring the referral database schema up to date
	@source scripts/env.sh && .venv/app/bin/python -m store.migrate

validate: ## check the training data and domain (rasa data validate)
	@source scripts/env.sh && .venv/rasa/bin/rasa data validate --config config.yml --domain domain.yml --data nlu/data

actions: ## run only the action server
	@source scripts/env.sh && .venv/app/bin/python -m rasa_sdk --actions actions --port $${ACTION_PORT}

rasa: ## run only the Rasa server
	@source scripts/env.sh && .venv/rasa/bin/rasa run --model models/current.tar.gz --port $${RASA_PORT} --endpoints endpoints.yml --credentials credentials.yml

bot: ## run only the bot (Telegram, or the console chat without a token)
	@source scripts/env.sh && .venv/app/bin/python -m bot

clean: ## remove trained models, results and local databases (keeps the environments)
	rm -rf models results var
