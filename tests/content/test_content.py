"""Tests of the assistant's content files and their loader (content/)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from content import loader
from nlu.intents import CONTRACT_INTENTS
from content.loader import (
    DIRECTORY_REQUIRED_FIELDS,
    GOVERNORATES,
    LANGUAGES,
    MAX_MESSAGE_CHARS,
    NEED_CATEGORIES,
    OTHER_GOVERNORATE,
    PLACEHOLDER_MARKER,
    REFERRAL_STATUSES,
    REQUIRED_MESSAGES,
    RETURN_GOVERNORATES,
    RLM,
    SAFETY_KINDS,
    SERVICE_TYPES,
    TOPICS,
    category_name,
    emergency_lines,
    governorate_name,
    governorate_question,
    local_services,
    message,
    parse_payload,
    referral_offer,
    safety_message,
    status_name,
    topic_answer,
    topic_buttons,
    topics,
    validate_content,
)

CONTENT_DIR = Path(loader.__file__).resolve().parent
CONTENT_FILES = ("answers.yml", "services.yml", "emergency.yml", "messages.yml")
GOVERNORATE_CASES = (None, *GOVERNORATES, OTHER_GOVERNORATE, "atlantis")
EMERGENCY_NUMBERS = ("104", "122", "115")


@lru_cache(maxsize=1)
def _services() -> list[dict[str, Any]]:
    return yaml.safe_load((CONTENT_DIR / "services.yml").read_text(encoding="utf-8"))["services"]


def _all_text(messages: list[dict[str, Any]]) -> str:
    """Every text and button title of rendered messages, joined."""
    parts = []
    for msg in messages:
        parts.append(msg["text"])
        parts += [button["title"] for button in msg["buttons"]]
    return "\n".join(parts)


def _copy_content(tmp_path: Path) -> Path:
    for name in CONTENT_FILES:
        shutil.copy(CONTENT_DIR / name, tmp_path / name)
    return tmp_path


def _edit(directory: Path, name: str, change: Callable[[Any], None]) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- the shipped files


def test_validate_content_finds_no_problem() -> None:
    assert validate_content() == []


def test_no_file_is_read_at_import() -> None:
    code = "import content, content.loader as l; assert l._read_yaml.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=CONTENT_DIR.parent)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_an_answer_in_both_languages(topic: str, lang: str) -> None:
    spec = loader._topic(topic, None)
    assert spec["text"][lang], f"{topic} lacks {lang}"
    messages = topic_answer(topic, lang, "anbar")
    assert messages and all(msg["text"].strip() for msg in messages)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", REQUIRED_MESSAGES)
def test_every_message_exists_in_both_languages(key: str, lang: str) -> None:
    raw = loader._messages(None)[key]
    assert raw.get(lang), f"{key} lacks {lang}"
    assert message(key, lang, code="R-1", governorate="X").strip()


@pytest.mark.parametrize("entry", _services(), ids=lambda entry: entry["id"])
def test_every_directory_entry_has_its_required_fields(entry: dict[str, Any]) -> None:
    for field in DIRECTORY_REQUIRED_FIELDS:
        assert field in entry, f"{entry['id']} lacks {field}"
    assert entry["governorate"] in (*GOVERNORATES, "all")
    assert entry["service_type"] in SERVICE_TYPES
    assert entry["status"] in ("verified", "generic", "placeholder")
    for field in ("name", "what"):
        assert entry[field]["ar"] and entry[field]["en"]
    if loader._is_placeholder(entry):
        assert entry["status"] == "placeholder"


@pytest.mark.parametrize("governorate", RETURN_GOVERNORATES)
@pytest.mark.parametrize("service_type", SERVICE_TYPES)
def test_directory_covers_each_return_governorate_and_service_type(
    governorate: str, service_type: str
) -> None:
    assert any(e["governorate"] == governorate and e["service_type"] == service_type
               for e in _services())


# ---------------------------------------------------------------- placeholders are never shown


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("governorate", GOVERNORATE_CASES)
@pytest.mark.parametrize("topic", TOPICS)
def test_no_placeholder_is_shown_by_default(topic: str, governorate: str | None, lang: str) -> None:
    text = _all_text(topic_answer(topic, lang, governorate))
    assert PLACEHOLDER_MARKER not in text
    assert message("directory_placeholder_tag", lang).lstrip(RLM) not in text
    for entry in _services():
        if entry["status"] == "placeholder":
            assert entry["name"][lang] not in text, f"placeholder {entry['id']} shown"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("governorate", RETURN_GOVERNORATES)
def test_placeholders_are_tagged_when_allowed(governorate: str, lang: str) -> None:
    messages = topic_answer("doc_civil_id", lang, governorate, allow_placeholders=True)
    text = _all_text(messages)
    assert message("directory_placeholder_tag", lang).lstrip(RLM) in text
    for line in text.splitlines():
        if line.lstrip(RLM).startswith("•") and PLACEHOLDER_MARKER in line:
            assert message("directory_placeholder_tag", lang).lstrip(RLM) in line


@pytest.mark.parametrize("lang", LANGUAGES)
def test_emergency_lines_never_show_placeholders(lang: str) -> None:
    lines = emergency_lines(lang)
    assert PLACEHOLDER_MARKER not in lines
    for number in EMERGENCY_NUMBERS:
        assert number in lines


# ---------------------------------------------------------------- buttons and payloads


@lru_cache(maxsize=1)
def _every_rendered_message() -> tuple[dict[str, Any], ...]:
    rendered: list[dict[str, Any]] = []
    for lang in LANGUAGES:
        for topic in TOPICS:
            for governorate in GOVERNORATE_CASES:
                rendered += topic_answer(topic, lang, governorate)
            rendered += topic_answer(topic, lang, "ninewa", allow_placeholders=True)
        for kind in SAFETY_KINDS:
            rendered += safety_message(kind, lang)
        rendered.append(governorate_question(lang))
        rendered.append({"text": "", "buttons": topic_buttons(lang)})
        for category in NEED_CATEGORIES:
            rendered.append(referral_offer(category, lang))
            rendered.append(referral_offer(category, lang, urgent=True, text_key="offer_person"))
    return tuple(rendered)


@pytest.fixture(name="rendered")
def fixture_rendered() -> tuple[dict[str, Any], ...]:
    """Every message the renderer can produce for the shipped content (computed once)."""
    return _every_rendered_message()


def test_every_button_payload_is_rasa_intent_syntax(rendered: tuple[dict[str, Any], ...]) -> None:
    payloads = {button["payload"] for msg in rendered for button in msg["buttons"]}
    assert payloads
    for payload in payloads:
        intent, entities = parse_payload(payload)
        assert intent in CONTRACT_INTENTS, payload
        for name, value in entities.items():
            if name == "need_category":
                assert value in NEED_CATEGORIES, payload
            elif name == "governorate":
                assert value in (*GOVERNORATES, OTHER_GOVERNORATE), payload
            elif name == "urgent":
                assert value is True, payload
            else:
                pytest.fail(f"unexpected entity in {payload}")


def test_every_button_has_a_title_and_a_short_payload(
    rendered: tuple[dict[str, Any], ...],
) -> None:
    for msg in rendered:
        for button in msg["buttons"]:
            assert button["title"].strip()
            assert len(button["payload"].encode()) <= 64, button["payload"]


@pytest.mark.parametrize(
    "payload, expected",
    [
        ("/deny", ("deny", {})),
        ('/inform{"governorate":"anbar"}', ("inform", {"governorate": "anbar"})),
        ('/referral_request{"need_category":"protection","urgent":true}',
         ("referral_request", {"need_category": "protection", "urgent": True})),
    ],
)
def test_parse_payload(payload: str, expected: tuple[str, dict[str, Any]]) -> None:
    assert parse_payload(payload) == expected


@pytest.mark.parametrize("payload", ["deny", "/", "/inform{", '/inform["x"]', "/two words"])
def test_parse_payload_rejects_malformed(payload: str) -> None:
    with pytest.raises(ValueError):
        parse_payload(payload)


def test_every_rendered_text_fits_in_a_telegram_message(
    rendered: tuple[dict[str, Any], ...],
) -> None:
    for msg in rendered:
        assert len(msg["text"]) <= MAX_MESSAGE_CHARS


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", REQUIRED_MESSAGES)
def test_every_fixed_message_fits_in_a_telegram_message(key: str, lang: str) -> None:
    text = message(key, lang, code="R-ABCDEFGH", governorate="Salah al-Din")
    assert len(text) <= MAX_MESSAGE_CHARS


def test_no_rendered_text_has_a_blank_line(rendered: tuple[dict[str, Any], ...]) -> None:
    """Rasa's REST channel splits texts at blank lines, which would separate text and buttons."""
    for msg in rendered:
        assert "\n\n" not in msg["text"], msg["text"][:80]


def test_arabic_texts_start_right_to_left(rendered: tuple[dict[str, Any], ...]) -> None:
    for msg in rendered:
        text = msg["text"]
        if text and any("\u0600" <= char <= "\u06ff" for char in text[:40]):
            assert text[0] == RLM or loader._ARABIC_LETTER.match(text[0]), text[:40]


# ---------------------------------------------------------------- safety messages


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", SAFETY_KINDS)
def test_safety_message_has_emergency_numbers_and_urgent_offer(kind: str, lang: str) -> None:
    messages = safety_message(kind, lang)
    text = _all_text(messages)
    for number in EMERGENCY_NUMBERS:
        assert number in text
    assert "I did not understand" not in text
    assert message("rephrase", "en") not in text
    assert message("rephrase", "ar") not in text
    assert PLACEHOLDER_MARKER not in text
    payloads = [button["payload"] for button in messages[-1]["buttons"]]
    intent, entities = parse_payload(payloads[0])
    assert intent == "referral_request"
    assert entities == {"need_category": SAFETY_KINDS[kind], "urgent": True}
    assert payloads[1] == "/deny"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", SAFETY_KINDS)
def test_safety_message_survives_missing_content(kind: str, lang: str, tmp_path: Path) -> None:
    messages = safety_message(kind, lang, content_dir=tmp_path)  # an empty directory
    text = _all_text(messages)
    for number in EMERGENCY_NUMBERS:
        assert number in text
    intent, entities = parse_payload(messages[-1]["buttons"][0]["payload"])
    assert (intent, entities["need_category"], entities["urgent"]) == (
        "referral_request", SAFETY_KINDS[kind], True)


def test_safety_message_rejects_unknown_kind() -> None:
    with pytest.raises(KeyError):
        safety_message("flood", "en")


# ---------------------------------------------------------------- behaviour of the renderer


@pytest.mark.parametrize("lang, expected", [("en", "en"), ("EN-us", "en"), ("ar_IQ", "ar"),
                                            ("ckb", "ar"), (None, "ar"), ("", "ar")])
def test_language_falls_back_to_arabic(lang: str | None, expected: str) -> None:
    assert loader.normalise_language(lang) == expected
    assert message("group_chat", lang) == message("group_chat", expected)


def test_unknown_message_key_raises() -> None:
    with pytest.raises(KeyError):
        message("no_such_message", "en")


def test_topics_lists_every_answered_topic() -> None:
    assert set(topics()) == set(TOPICS)


def test_unknown_topic_raises() -> None:
    with pytest.raises(KeyError):
        topic_answer("no_such_topic", "en", None)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("status", REFERRAL_STATUSES)
def test_notification_contains_the_code(status: str, lang: str) -> None:
    text = message(f"notification_status_{status}", lang, code="R-7KQ2")
    assert "R-7KQ2" in text and "{code}" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_apology_and_help_list_the_emergency_numbers(lang: str) -> None:
    for key in ("apology_unavailable", "help"):
        text = message(key, lang)
        assert "{emergency}" not in text
        for number in EMERGENCY_NUMBERS:
            assert number in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_lists_the_commands(lang: str) -> None:
    text = message("help", lang)
    for command in ("/start", "/help", "/language", "/delete"):
        assert command in text


def test_kurdish_message_has_four_languages() -> None:
    text = message("kurdish", "ar")
    assert text == message("kurdish", "en")
    assert any(char in text for char in "ڵڕۆێە")  # Sorani-only letters
    assert "Bibore" in text  # Kurmanji (Latin script)
    assert "العربية" in text and "Arabic" in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "topic", [t for t in TOPICS if loader._topic(t, None)["needs_governorate"]])
def test_unknown_governorate_gets_a_question_then_the_offer(topic: str, lang: str) -> None:
    messages = topic_answer(topic, lang, None)
    question, offer = messages[-2], messages[-1]
    values = [parse_payload(b["payload"])[1]["governorate"] for b in question["buttons"]]
    assert values == [*RETURN_GOVERNORATES, OTHER_GOVERNORATE]
    category = loader._topic(topic, None)["need_category"]
    assert offer["buttons"][0]["payload"] == f'/referral_request{{"need_category":"{category}"}}'
    assert offer["buttons"][1]["payload"] == "/deny"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("governorate", GOVERNORATE_CASES[1:])
def test_known_governorate_gets_guidance_not_a_question(governorate: str, lang: str) -> None:
    messages = topic_answer("doc_civil_id", lang, governorate)
    assert not any(parse_payload(b["payload"])[0] == "inform"
                   for msg in messages for b in msg["buttons"])
    generic = next(e for e in _services() if e["id"] == "generic_civil_affairs")
    assert generic["name"][lang] in _all_text(messages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_local_entries_are_said(lang: str) -> None:
    text = _all_text(topic_answer("housing_compensation", lang, "kirkuk"))
    missing = message("directory_missing", lang, governorate=governorate_name("kirkuk", lang))
    assert missing.lstrip(RLM) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_kurdistan_region_gets_a_note(lang: str) -> None:
    assert message("directory_kri_note", lang).lstrip(RLM) in _all_text(
        topic_answer("doc_civil_id", lang, "erbil"))


@pytest.mark.parametrize("topic", ["privacy_question", "ask_capabilities", "bot_challenge"])
def test_topics_without_governorate_never_ask_for_it(topic: str) -> None:
    for msg in topic_answer(topic, "en", None):
        assert all(parse_payload(b["payload"])[0] != "inform" for b in msg["buttons"])
    assert local_services(topic, "en", "anbar") == []


def test_ask_capabilities_offers_topic_buttons_and_no_referral_question() -> None:
    messages = topic_answer("ask_capabilities", "en", None)
    assert messages[-1]["buttons"] == topic_buttons("en")


def test_bot_challenge_says_it_is_automated_and_offers_a_person() -> None:
    messages = topic_answer("bot_challenge", "en", None)
    assert "automated assistant, not a person" in messages[0]["text"]
    assert parse_payload(messages[-1]["buttons"][0]["payload"]) == (
        "referral_request", {"need_category": "other"})


def test_privacy_answer_states_retention_and_deletion() -> None:
    text = _all_text(topic_answer("privacy_question", "en", None))
    assert "30 days" in text and "180 days" in text and "/delete" in text
    assert "pseudonymous" in text
    assert "did not understand are kept 90 days" in text  # REVIEW_RETENTION_DAYS
    shorter = _all_text(topic_answer("privacy_question", "en", None,
                                     fmt={"conversation_days": 14}))
    assert "14 days" in shorter and "30 days" not in shorter


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stigma_answer_asks_nothing(lang: str) -> None:
    texts = loader._topic("pss_stigma", None)["text"][lang]
    assert not any("?" in text or "؟" in text for text in texts)


def test_content_never_names_an_armed_group() -> None:
    for name in CONTENT_FILES:
        data = yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))
        text = yaml.safe_dump(data, allow_unicode=True).lower()
        for word in ("isis", "isil", "daesh", "داعش", "الدولة الإسلامية"):
            assert word not in text, f"{word} in {name}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_display_names(lang: str) -> None:
    for value in (*GOVERNORATES, OTHER_GOVERNORATE):
        assert governorate_name(value, lang) != value
    for value in NEED_CATEGORIES:
        assert category_name(value, lang) != value
    for value in REFERRAL_STATUSES:
        assert status_name(value, lang) and status_name(value, lang) != value
    assert governorate_name("atlantis", lang) == "atlantis"
    assert governorate_name("salah_al_din", "en") == "Salah al-Din"


# ---------------------------------------------------------------- with edited copies of the files


def test_verified_local_entry_is_shown_before_general_guidance(tmp_path: Path) -> None:
    directory = _copy_content(tmp_path)

    def verify(data: dict[str, Any]) -> None:
        entry = next(e for e in data["services"] if e["id"] == "anbar_civil_affairs")
        entry.update(status="verified", source="Called the office", last_verified="2025-01-15",
                     hours={"ar": "الأحد-الخميس", "en": "Sun-Thu"},
                     contact={"phone": "+964 700 000 0000", "address": None, "how": None})

    _edit(directory, "services.yml", verify)
    assert validate_content(content_dir=directory) == []
    messages = topic_answer("doc_civil_id", "en", "anbar", content_dir=directory)
    text = _all_text(messages)
    assert "Directorate of Civil Affairs, Ramadi" in text
    assert "+964 700 000 0000" in text and "2025-01-15" in text
    assert "The Directorate of Civil Affairs in your district" not in text  # covered locally
    assert "Free legal aid organisations" in text  # legal aid still general guidance
    assert message("directory_more", "en", governorate="Anbar") in text


def _drop_english(data: dict[str, Any]) -> None:
    del data["messages"]["flood"]["en"]


def _fill_in_generic(data: dict[str, Any]) -> None:
    data["services"][0]["contact"]["phone"] = "<<FILL: phone>>"


def _bad_service_type(data: dict[str, Any]) -> None:
    data["services"][0]["service_type"] = "bakery"


def _bad_governorate(data: dict[str, Any]) -> None:
    data["services"][0]["governorate"] = "gotham"


def _missing_field(data: dict[str, Any]) -> None:
    del data["services"][0]["source"]


def _topic_without_arabic(data: dict[str, Any]) -> None:
    del data["topics"]["pss_child"]["text"]["ar"]


def _topic_with_unknown_type(data: dict[str, Any]) -> None:
    data["topics"]["pss_child"]["service_types"].append("bakery")


def _verified_without_date(data: dict[str, Any]) -> None:
    data["services"][0]["status"] = "verified"


def _safety_without_numbers(data: dict[str, Any]) -> None:
    data["safety"]["violence"]["en"] = ["You are not alone."]


@pytest.mark.parametrize(
    "file, change, expected",
    [
        ("messages.yml", _drop_english, "flood: missing language en"),
        ("services.yml", _fill_in_generic, "not marked placeholder"),
        ("services.yml", _bad_service_type, "unknown service type 'bakery'"),
        ("services.yml", _bad_governorate, "unknown governorate 'gotham'"),
        ("services.yml", _missing_field, "missing field source"),
        ("services.yml", _verified_without_date, "need source and last_verified"),
        ("answers.yml", _topic_without_arabic, "pss_child.text: missing language ar"),
        ("answers.yml", _topic_with_unknown_type, "unknown service type 'bakery'"),
        ("emergency.yml", _safety_without_numbers, "no {emergency} placeholder"),
    ],
)
def test_validate_content_reports_problems(
    tmp_path: Path, file: str, change: Callable[[Any], None], expected: str
) -> None:
    directory = _copy_content(tmp_path)
    _edit(directory, file, change)
    problems = validate_content(content_dir=directory)
    assert any(expected in problem for problem in problems), problems


def test_validate_content_reports_unreadable_files(tmp_path: Path) -> None:
    problems = validate_content(content_dir=tmp_path)
    assert len(problems) == len(CONTENT_FILES)
    assert all("cannot be read" in problem for problem in problems)
