"""Pure loader and renderer for what the assistant says.

The YAML files in this package (answers, services, emergency, messages) are read lazily, once per
content directory, through cached functions; nothing is read at import time. Every public function
takes an optional keyword-only ``content_dir`` so tests and deployments can point at another copy.

Rendered messages are Rasa-dispatcher-like dicts
``{"text": str, "buttons": [{"title": str, "payload": str}]}`` (``buttons`` always present), so
an action can call ``dispatcher.utter_message(**msg)`` and the bot can send them as they are.
Texts never contain blank lines (Rasa's REST channel would split them there), except the
bot-only ``kurdish`` message.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from nlu.intents import known_intents

logger = logging.getLogger(__name__)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent

LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"

RETURN_GOVERNORATES = ("anbar", "ninewa", "salah_al_din", "diyala", "kirkuk")
GOVERNORATES = RETURN_GOVERNORATES + (
    "baghdad", "erbil", "duhok", "sulaymaniyah", "babil", "basra", "karbala", "najaf", "wasit",
    "dhi_qar", "maysan", "muthanna", "qadisiyah", "halabja",
)
KURDISTAN_REGION = ("erbil", "duhok", "sulaymaniyah", "halabja")
OTHER_GOVERNORATE = "other"
ALL_GOVERNORATES = "all"

NEED_CATEGORIES = ("housing", "documents", "psychosocial", "protection", "livelihood", "other")
REFERRAL_STATUSES = ("new", "in_progress", "referred", "closed", "declined")
SERVICE_TYPES = (
    "civil_affairs", "personal_status_court", "compensation_committee", "real_estate_registry",
    "legal_aid", "shelter_support", "mhpss", "child_protection", "livelihoods",
    "protection_hotline",
)
TOPICS = (
    "housing_damaged_home", "housing_compensation", "housing_shelter", "housing_property_dispute",
    "doc_civil_id", "doc_civil_registration", "doc_security_clearance", "pss_distress",
    "pss_child", "pss_stigma", "livelihood_support", "privacy_question", "ask_capabilities",
    "bot_challenge",
)
# Safety kind -> need category of its urgent referral offer.
SAFETY_KINDS = {"self_harm": "psychosocial", "violence": "protection"}

REQUIRED_MESSAGES = (
    "apology_unavailable", "non_text", "group_chat", "help", "kurdish", "choose_language",
    "language_set", "rephrase", "offer_person", "start", "flood", "button_expired", "edited",
    *(f"notification_status_{status}" for status in REFERRAL_STATUSES),
    # used by the renderer itself
    "referral_offer", "button_yes", "button_no", "button_yes_urgent", "ask_governorate",
    "directory_header", "directory_missing", "directory_more", "directory_general",
    "directory_kri_note", "directory_placeholder_tag", "label_phone", "label_address",
    "label_hours", "label_checked",
)

DIRECTORY_STATUSES = ("verified", "generic", "placeholder")
EMERGENCY_STATUSES = ("published", "verified", "placeholder")
SHOWN_STATUSES = ("verified", "generic", "published")
DIRECTORY_REQUIRED_FIELDS = (
    "id", "governorate", "service_type", "name", "what", "contact", "hours", "source",
    "last_verified", "status",
)
EMERGENCY_REQUIRED_FIELDS = ("id", "number", "name", "status", "source", "last_verified")

PLACEHOLDER_MARKER = "<<FILL"
MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one message
MAX_ANSWER_CHARS = 650  # per topic and language, all its messages together
MAX_ANSWER_MESSAGES = 3
# Rasa's REST channel splits a text at blank lines; only texts the bot sends itself may have them.
BLANK_LINES_ALLOWED = ("kurdish",)

RLM = "\u200f"  # right-to-left mark: keeps Arabic messages right-aligned in Telegram
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(\{.*\})?$", re.DOTALL)
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Last resort if the content files cannot be read while someone is in crisis.
_FALLBACK_SAFETY = (
    "أنت لست وحدك. إذا كنت في خطر الآن اتصل بالشرطة 104 أو الإسعاف 122 أو الدفاع المدني 115.\n"
    "You are not alone. If you are in danger now, call police 104, ambulance 122 "
    "or civil defence 115."
)

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when available

ContentDir = str | Path | None
Message = dict[str, Any]


# ---------------------------------------------------------------- loading


@lru_cache(maxsize=None)
def _read_yaml(path: str) -> Any:
    """Parse one YAML file (cached by absolute path)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _load(name: str, content_dir: ContentDir = None) -> dict[str, Any]:
    """Return the parsed ``<name>.yml`` of a content directory (cached)."""
    base = Path(content_dir).resolve() if content_dir is not None else DEFAULT_CONTENT_DIR
    data = _read_yaml(str(base / f"{name}.yml"))
    if not isinstance(data, dict):
        raise ValueError(f"{name}.yml must hold a mapping at the top level")
    return data


def clear_cache() -> None:
    """Forget every file read so far (after editing content at run time, or in tests)."""
    _read_yaml.cache_clear()


# ---------------------------------------------------------------- small helpers


def normalise_language(lang: str | None) -> str:
    """Map ``"en"``, ``"EN-us"``, ``"ar_IQ"`` ... to a supported language; unknown -> Arabic."""
    if not lang:
        return DEFAULT_LANGUAGE
    base = str(lang).strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def _pick(value: Any, lang: str) -> Any:
    """Return the ``lang`` variant of a ``{ar, en}`` mapping; plain values are returned as is."""
    if isinstance(value, Mapping):
        for key in (lang, DEFAULT_LANGUAGE, "en"):
            if value.get(key) not in (None, ""):
                return value[key]
        return None
    return value


class _KeepMissing(dict):
    """``str.format_map`` helper that leaves unknown ``{fields}`` untouched."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(text: str, values: Mapping[str, Any]) -> str:
    """Fill ``{field}`` placeholders; unknown fields stay visible instead of raising."""
    return text.format_map(_KeepMissing(values))


def _rtl(text: str, lang: str) -> str:
    """Prefix an Arabic message that starts with a non-Arabic character with U+200F."""
    if lang == "ar" and text and not _ARABIC_LETTER.match(text[0]) and text[0] != RLM:
        return RLM + text
    return text


def _msg(text: str, lang: str, buttons: list[dict[str, str]] | None = None) -> Message:
    """Build one dispatcher-like message dict."""
    return {"text": _rtl(text, lang), "buttons": list(buttons or [])}


def _payload(intent: str, entities: Mapping[str, Any] | None = None) -> str:
    """Rasa's ``/intent{"entity":"value"}`` syntax."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(dict(entities), ensure_ascii=False, separators=(",", ":"))


def parse_payload(payload: str) -> tuple[str, dict[str, Any]]:
    """Split a Rasa button payload into intent and entities; raise ValueError if malformed."""
    match = _PAYLOAD.match(payload)
    if not match:
        raise ValueError(f"not a Rasa intent payload: {payload!r}")
    entities: dict[str, Any] = {}
    if match.group(2):
        entities = json.loads(match.group(2))
        if not isinstance(entities, dict):
            raise ValueError(f"entities of {payload!r} are not an object")
    return match.group(1), entities


def _chunk(blocks: Iterable[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join text blocks line by line into as few texts under ``limit`` as possible.

    No blank lines: Rasa's REST channel would split the text there into separate messages.
    """
    texts: list[str] = []
    current = ""
    for block in blocks:
        block = block[: limit - 1]
        candidate = f"{current}\n{block}" if current else block
        if len(candidate) + 1 <= limit:  # +1 leaves room for an RLM prefix
            current = candidate
        else:
            texts.append(current)
            current = block
    if current:
        texts.append(current)
    return texts


def _messages(content_dir: ContentDir) -> dict[str, Any]:
    return _load("messages", content_dir).get("messages") or {}


def _names(content_dir: ContentDir) -> dict[str, Any]:
    return _load("messages", content_dir).get("names") or {}


def _topic(topic: str, content_dir: ContentDir) -> dict[str, Any]:
    topics = _load("answers", content_dir).get("topics") or {}
    if topic not in topics:
        raise KeyError(topic)
    return topics[topic]


def topics(*, content_dir: ContentDir = None) -> tuple[str, ...]:
    """The information topics that have an answer (each name is an intent of domain.yml)."""
    return tuple(_load("answers", content_dir).get("topics") or {})


def _is_placeholder(value: Any) -> bool:
    """True if a marker like ``<<FILL: ...>>`` occurs anywhere inside ``value``."""
    if isinstance(value, str):
        return PLACEHOLDER_MARKER in value
    if isinstance(value, Mapping):
        return any(_is_placeholder(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_placeholder(item) for item in value)
    return False


def _shown(entry: Mapping[str, Any], allow_placeholders: bool) -> bool:
    """May this directory/emergency entry be shown to a user?"""
    if entry.get("status") in SHOWN_STATUSES and not _is_placeholder(entry):
        return True
    return allow_placeholders and entry.get("status") == "placeholder"


# ---------------------------------------------------------------- names


def _name(kind: str, value: str, lang: str, content_dir: ContentDir) -> str:
    entry = (_names(content_dir).get(kind) or {}).get(value)
    if entry is None:
        return str(value)
    return _pick(entry, normalise_language(lang)) or str(value)


def governorate_name(value: str, lang: str, *, content_dir: ContentDir = None) -> str:
    """Display name of a canonical governorate value (unknown values are returned unchanged)."""
    return _name("governorates", value, lang, content_dir)


def category_name(value: str, lang: str, *, content_dir: ContentDir = None) -> str:
    """Display name of a need category (unknown values are returned unchanged)."""
    return _name("categories", value, lang, content_dir)


def status_name(value: str, lang: str, *, content_dir: ContentDir = None) -> str:
    """Display name of a referral status (unknown values are returned unchanged)."""
    return _name("statuses", value, lang, content_dir)


# ---------------------------------------------------------------- fixed messages


def emergency_lines(lang: str, *, content_dir: ContentDir = None) -> str:
    """The emergency numbers that may be shown, one ``• name: number`` line each."""
    lang = normalise_language(lang)
    data = _load("emergency", content_dir)
    entries = list(data.get("numbers") or []) + list(data.get("deployment_lines") or [])
    lines = [
        f"• {_pick(entry['name'], lang)}: {entry['number']}"
        for entry in entries
        if _shown(entry, allow_placeholders=False)
    ]
    return "\n".join(lines)


def message(key: str, lang: str, *, content_dir: ContentDir = None, **fmt: Any) -> str:
    """A fixed bot text in ``lang`` (unknown languages fall back to Arabic).

    ``{emergency}`` is filled with `emergency_lines`; other ``{fields}`` come from ``fmt``.
    Raises KeyError for an unknown key.
    """
    lang = normalise_language(lang)
    texts = _messages(content_dir)
    if key not in texts:
        raise KeyError(key)
    text = str(_pick(texts[key], lang))
    values: dict[str, Any] = {}
    if "{emergency}" in text:
        values["emergency"] = emergency_lines(lang, content_dir=content_dir)
    values.update(fmt)
    return _rtl(_format(text, values), lang)


def topic_buttons(lang: str, *, content_dir: ContentDir = None) -> list[dict[str, str]]:
    """Buttons for the main topics (used by ask_capabilities and the rephrase fallback)."""
    lang = normalise_language(lang)
    menu = _load("answers", content_dir).get("topic_menu") or []
    return [{"title": _pick(item["title"], lang), "payload": item["payload"]} for item in menu]


def referral_offer(
    need_category: str,
    lang: str,
    *,
    urgent: bool = False,
    text_key: str | None = None,
    content_dir: ContentDir = None,
) -> Message:
    """The "shall a caseworker contact you?" message with yes/no buttons.

    Yes -> ``/referral_request{"need_category":...}`` (plus ``"urgent":true``), no -> ``/deny``.
    ``text_key`` picks another question text from messages.yml (e.g. ``offer_person``).
    """
    lang = normalise_language(lang)
    if need_category not in NEED_CATEGORIES:
        need_category = "other"
    entities: dict[str, Any] = {"need_category": need_category}
    if urgent:
        entities["urgent"] = True
    text = message(text_key or "referral_offer", lang, content_dir=content_dir)
    yes_key = "button_yes_urgent" if urgent else "button_yes"
    buttons = [
        {"title": message(yes_key, lang, content_dir=content_dir),
         "payload": _payload("referral_request", entities)},
        {"title": message("button_no", lang, content_dir=content_dir), "payload": "/deny"},
    ]
    return _msg(text, lang, buttons)


def governorate_question(lang: str, *, content_dir: ContentDir = None) -> Message:
    """Ask for the governorate with buttons for the five return governorates and "other"."""
    lang = normalise_language(lang)
    buttons = [
        {"title": governorate_name(value, lang, content_dir=content_dir),
         "payload": _payload("inform", {"governorate": value})}
        for value in (*RETURN_GOVERNORATES, OTHER_GOVERNORATE)
    ]
    return _msg(message("ask_governorate", lang, content_dir=content_dir), lang, buttons)


# ---------------------------------------------------------------- directory


def _render_entry(entry: Mapping[str, Any], lang: str, content_dir: ContentDir) -> str:
    """One directory entry as a short text block."""
    def label(key: str) -> str:
        return message(key, lang, content_dir=content_dir).lstrip(RLM)

    name = _pick(entry["name"], lang)
    if entry.get("status") == "placeholder":
        name = f"{label('directory_placeholder_tag')} {name}"
    lines = [f"• {name}: {_pick(entry['what'], lang)}"]
    contact = entry.get("contact") or {}
    if contact.get("phone"):
        lines.append(f"{label('label_phone')}: {contact['phone']}")
    if contact.get("address"):
        lines.append(f"{label('label_address')}: {_pick(contact['address'], lang)}")
    if contact.get("how"):
        lines.append(str(_pick(contact["how"], lang)))
    if entry.get("hours"):
        lines.append(f"{label('label_hours')}: {_pick(entry['hours'], lang)}")
    if entry.get("status") == "verified" and entry.get("last_verified"):
        lines.append(f"({label('label_checked')}: {entry['last_verified']})")
    return "\n".join(_rtl(line, lang) for line in lines)


def local_services(
    topic: str,
    lang: str,
    governorate: str | None,
    allow_placeholders: bool = False,
    *,
    content_dir: ContentDir = None,
) -> list[Message]:
    """Directory messages for a topic's service types in a governorate.

    Local entries of the governorate come first; for service types without a showable local
    entry the user is told so and gets the generic (``governorate: all``) guidance instead.
    Placeholders are shown only with ``allow_placeholders`` and then visibly tagged.
    Returns [] when the topic has no service types or the governorate is None.
    """
    lang = normalise_language(lang)
    spec = _topic(topic, content_dir)
    types: list[str] = list(spec.get("service_types") or [])
    if not types or not governorate:
        return []
    gov = governorate if governorate in GOVERNORATES else OTHER_GOVERNORATE
    gov_name = governorate_name(gov, lang, content_dir=content_dir)
    entries = _load("services", content_dir).get("services") or []

    def matching(place: str, wanted: list[str]) -> list[Mapping[str, Any]]:
        found = [e for e in entries if e.get("governorate") == place
                 and e.get("service_type") in wanted and _shown(e, allow_placeholders)]
        return sorted(found, key=lambda e: wanted.index(e["service_type"]))

    local = matching(gov, types) if gov != OTHER_GOVERNORATE else []
    covered = {entry["service_type"] for entry in local}
    general = matching(ALL_GOVERNORATES, [t for t in types if t not in covered])

    def text(key: str) -> str:
        return message(key, lang, content_dir=content_dir, governorate=gov_name)

    blocks: list[str] = []
    if local:
        blocks.append(text("directory_header"))
        blocks += [_render_entry(entry, lang, content_dir) for entry in local]
    if general:
        if gov == OTHER_GOVERNORATE:
            blocks.append(text("directory_general"))
        else:
            blocks.append(text("directory_more" if local else "directory_missing"))
        blocks += [_render_entry(entry, lang, content_dir) for entry in general]
    if gov in KURDISTAN_REGION:
        blocks.append(text("directory_kri_note"))
    return [_msg(chunk, lang) for chunk in _chunk(blocks)]


# ---------------------------------------------------------------- answers


def topic_answer(
    topic: str,
    lang: str,
    governorate: str | None,
    allow_placeholders: bool = False,
    *,
    fmt: Mapping[str, Any] | None = None,
    content_dir: ContentDir = None,
) -> list[Message]:
    """Everything the assistant says for an information topic, as message dicts.

    Order: the answer texts; then local services (governorate known) or the governorate
    question (unknown), if the topic needs a governorate; then the referral offer, if the topic
    has one. ``fmt`` overrides answers.yml ``defaults`` (e.g. ``conversation_days``).
    Raises KeyError for an unknown topic.
    """
    lang = normalise_language(lang)
    answers = _load("answers", content_dir)
    spec = _topic(topic, content_dir)
    values = dict(answers.get("defaults") or {})
    values.update(fmt or {})
    out = [_msg(_format(text, values), lang) for text in _pick(spec["text"], lang)]
    if spec.get("topic_menu") and out:
        out[-1]["buttons"] = topic_buttons(lang, content_dir=content_dir)
    if spec.get("needs_governorate") and spec.get("service_types"):
        if governorate:
            out += local_services(topic, lang, governorate, allow_placeholders,
                                  content_dir=content_dir)
        else:
            out.append(governorate_question(lang, content_dir=content_dir))
    if spec.get("offer_referral"):
        out.append(referral_offer(spec.get("need_category", "other"), lang,
                                  content_dir=content_dir))
    return out


def safety_message(kind: str, lang: str, *, content_dir: ContentDir = None) -> list[Message]:
    """The crisis answer for ``self_harm`` or ``violence``, ending with urgent-referral buttons.

    Never raises for a known kind: if the content files cannot be read it returns a minimal
    bilingual text with the national emergency numbers. Raises KeyError for an unknown kind.
    """
    if kind not in SAFETY_KINDS:
        raise KeyError(kind)
    lang = normalise_language(lang)
    try:
        texts = _pick(_load("emergency", content_dir)["safety"][kind], lang)
        lines = emergency_lines(lang, content_dir=content_dir)
        out = [_msg(_format(text, {"emergency": lines}), lang) for text in texts]
        offer = referral_offer(SAFETY_KINDS[kind], lang, urgent=True, content_dir=content_dir)
        out[-1]["buttons"] = offer["buttons"]
        return out
    except Exception:  # noqa: BLE001 - a crisis answer must never fail
        logger.exception("safety content unavailable; sending the built-in fallback")
        entities = {"need_category": SAFETY_KINDS[kind], "urgent": True}
        buttons = [
            {"title": "نعم / Yes", "payload": _payload("referral_request", entities)},
            {"title": "لا / No", "payload": "/deny"},
        ]
        return [_msg(_FALLBACK_SAFETY, "ar", buttons)]


# ---------------------------------------------------------------- validation


def _fields(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def _check_bilingual(value: Any, where: str, problems: list[str]) -> None:
    """``value`` must be a mapping with non-empty ``ar`` and ``en``."""
    if not isinstance(value, Mapping):
        problems.append(f"{where}: expected a mapping with ar and en")
        return
    for lang in LANGUAGES:
        if value.get(lang) in (None, "", []):
            problems.append(f"{where}: missing language {lang}")


def _validate_messages(data: Mapping[str, Any], problems: list[str]) -> None:
    texts = data.get("messages") or {}
    for key in REQUIRED_MESSAGES:
        if key not in texts:
            problems.append(f"messages.yml: missing message {key}")
    for key, value in texts.items():
        where = f"messages.yml: {key}"
        _check_bilingual(value, where, problems)
        if not isinstance(value, Mapping):
            continue
        variants = [value.get(lang) for lang in LANGUAGES if isinstance(value.get(lang), str)]
        if len({frozenset(_fields(text)) for text in variants}) > 1:
            problems.append(f"{where}: languages use different {{fields}}")
        for text in variants:
            if len(text) > MAX_MESSAGE_CHARS - 500:
                problems.append(f"{where}: text too long ({len(text)} chars)")
            if "\n\n" in text.strip() and key not in BLANK_LINES_ALLOWED:
                problems.append(f"{where}: blank line (Rasa's REST channel would split it)")
        if _is_placeholder(value):
            problems.append(f"{where}: contains {PLACEHOLDER_MARKER}")
    for status in REFERRAL_STATUSES:
        value = texts.get(f"notification_status_{status}") or {}
        for lang in LANGUAGES:
            if isinstance(value, Mapping) and "{code}" not in str(value.get(lang, "")):
                problems.append(f"messages.yml: notification_status_{status}.{lang} lacks {{code}}")
    names = data.get("names") or {}
    for kind, values in (("governorates", (*GOVERNORATES, OTHER_GOVERNORATE)),
                         ("categories", NEED_CATEGORIES), ("statuses", REFERRAL_STATUSES)):
        for value in values:
            where = f"messages.yml: names.{kind}.{value}"
            _check_bilingual((names.get(kind) or {}).get(value), where, problems)


def _validate_answers(data: Mapping[str, Any], problems: list[str]) -> None:
    topics = data.get("topics") or {}
    defaults = data.get("defaults") or {}
    intents = known_intents()
    for topic in TOPICS:
        if topic not in topics:
            problems.append(f"answers.yml: missing topic {topic}")
    for topic, spec in topics.items():
        where = f"answers.yml: {topic}"
        if topic not in intents:
            problems.append(f"{where}: not an intent of domain.yml")
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        _check_bilingual(spec.get("text"), f"{where}.text", problems)
        fields_per_lang = []
        text_by_lang = spec.get("text") if isinstance(spec.get("text"), Mapping) else {}
        for lang in LANGUAGES:
            texts = text_by_lang.get(lang)
            if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip()
                                                      for t in texts):
                problems.append(f"{where}.text.{lang}: expected a list of non-empty strings")
                continue
            if not 1 <= len(texts) <= MAX_ANSWER_MESSAGES:
                problems.append(f"{where}.text.{lang}: {len(texts)} messages (1-3 allowed)")
            if any("\n\n" in text.strip() for text in texts):
                problems.append(f"{where}.text.{lang}: blank line (Rasa's REST channel splits)")
            total = sum(len(_format(text, defaults)) for text in texts)
            if total > MAX_ANSWER_CHARS:
                problems.append(f"{where}.text.{lang}: {total} chars (max {MAX_ANSWER_CHARS})")
            fields = set().union(*(_fields(text) for text in texts))
            missing = fields - set(defaults)
            if missing:
                problems.append(f"{where}.text.{lang}: no default for {sorted(missing)}")
            fields_per_lang.append(frozenset(fields))
        if len(set(fields_per_lang)) > 1:
            problems.append(f"{where}: languages use different {{fields}}")
        if not isinstance(spec.get("needs_governorate"), bool):
            problems.append(f"{where}: needs_governorate must be true or false")
        if not isinstance(spec.get("offer_referral"), bool):
            problems.append(f"{where}: offer_referral must be true or false")
        if spec.get("need_category") not in NEED_CATEGORIES:
            problems.append(f"{where}: unknown need_category {spec.get('need_category')!r}")
        service_types = spec.get("service_types")
        if not isinstance(service_types, list):
            problems.append(f"{where}: service_types must be a list")
        else:
            for service_type in service_types:
                if service_type not in SERVICE_TYPES:
                    problems.append(f"{where}: unknown service type {service_type!r}")
            if spec.get("needs_governorate") and not service_types:
                problems.append(f"{where}: needs_governorate without service_types")
        if _is_placeholder(spec):
            problems.append(f"{where}: contains {PLACEHOLDER_MARKER}")
    for index, item in enumerate(data.get("topic_menu") or []):
        where = f"answers.yml: topic_menu[{index}]"
        _check_bilingual(item.get("title") if isinstance(item, Mapping) else None, where, problems)
        _check_payload(item.get("payload") if isinstance(item, Mapping) else None, intents, where,
                       problems)


def _check_payload(payload: Any, intents: tuple[str, ...], where: str,
                   problems: list[str]) -> None:
    try:
        intent, _ = parse_payload(str(payload))
    except ValueError as error:
        problems.append(f"{where}: {error}")
        return
    if intent not in intents:
        problems.append(f"{where}: unknown intent {intent!r}")


def _validate_services(data: Mapping[str, Any], problems: list[str]) -> None:
    entries = data.get("services")
    if not isinstance(entries, list):
        problems.append("services.yml: 'services' must be a list")
        return
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            problems.append(f"services.yml: entry {index}: expected a mapping")
            continue
        where = f"services.yml: entry {index} ({entry.get('id')})"
        for field in DIRECTORY_REQUIRED_FIELDS:
            if field not in entry:
                problems.append(f"{where}: missing field {field}")
        if entry.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(entry.get("id"))
        if entry.get("governorate") not in (*GOVERNORATES, ALL_GOVERNORATES):
            problems.append(f"{where}: unknown governorate {entry.get('governorate')!r}")
        if entry.get("service_type") not in SERVICE_TYPES:
            problems.append(f"{where}: unknown service type {entry.get('service_type')!r}")
        status = entry.get("status")
        if status not in DIRECTORY_STATUSES:
            problems.append(f"{where}: unknown status {status!r}")
        _check_bilingual(entry.get("name"), f"{where}.name", problems)
        _check_bilingual(entry.get("what"), f"{where}.what", problems)
        if not isinstance(entry.get("contact"), Mapping):
            problems.append(f"{where}: contact must be a mapping")
        if status != "placeholder" and _is_placeholder(entry):
            problems.append(f"{where}: {PLACEHOLDER_MARKER} in an entry not marked placeholder")
        if status == "verified":
            if not isinstance(entry.get("last_verified"), (date, str)) or not entry.get("source"):
                problems.append(f"{where}: verified entries need source and last_verified")
        if status == "generic" and (entry.get("contact") or {}).get("phone"):
            problems.append(f"{where}: generic entries must not carry a phone number")
    for service_type in SERVICE_TYPES:
        generic = [e for e in entries if isinstance(e, Mapping) and e.get("status") == "generic"
                   and e.get("governorate") == ALL_GOVERNORATES]
        if not any(e.get("service_type") == service_type for e in generic):
            problems.append(f"services.yml: no generic (governorate: all) entry for {service_type}")
        for gov in RETURN_GOVERNORATES:
            if not any(e.get("governorate") == gov and e.get("service_type") == service_type
                       for e in entries if isinstance(e, Mapping)):
                problems.append(f"services.yml: no entry for {gov} x {service_type}")


def _validate_emergency(data: Mapping[str, Any], problems: list[str]) -> None:
    entries = list(data.get("numbers") or []) + list(data.get("deployment_lines") or [])
    if not data.get("numbers"):
        problems.append("emergency.yml: no national numbers")
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            problems.append(f"emergency.yml: line {index}: expected a mapping")
            continue
        where = f"emergency.yml: line {index} ({entry.get('id')})"
        for field in EMERGENCY_REQUIRED_FIELDS:
            if field not in entry:
                problems.append(f"{where}: missing field {field}")
        _check_bilingual(entry.get("name"), f"{where}.name", problems)
        if entry.get("status") not in EMERGENCY_STATUSES:
            problems.append(f"{where}: unknown status {entry.get('status')!r}")
        if entry.get("status") != "placeholder" and _is_placeholder(entry):
            problems.append(f"{where}: {PLACEHOLDER_MARKER} in an entry not marked placeholder")
    safety = data.get("safety") or {}
    for kind in SAFETY_KINDS:
        where = f"emergency.yml: safety.{kind}"
        _check_bilingual(safety.get(kind), where, problems)
        for lang in LANGUAGES:
            texts = (safety.get(kind) or {}).get(lang)
            if not isinstance(texts, list) or not texts:
                problems.append(f"{where}.{lang}: expected a list of texts")
                continue
            if any("\n\n" in str(text).strip() for text in texts):
                problems.append(f"{where}.{lang}: blank line (Rasa's REST channel splits there)")
            if not any("{emergency}" in text for text in texts):
                problems.append(f"{where}.{lang}: no {{emergency}} placeholder")
        if _is_placeholder(safety.get(kind)):
            problems.append(f"{where}: contains {PLACEHOLDER_MARKER}")


def validate_content(*, content_dir: ContentDir = None) -> list[str]:
    """Check every content file; return a list of human-readable problems ([] when all is well)."""
    problems: list[str] = []
    checks = (("messages", _validate_messages), ("answers", _validate_answers),
              ("services", _validate_services), ("emergency", _validate_emergency))
    for name, check in checks:
        try:
            data = _load(name, content_dir)
        except Exception as error:  # noqa: BLE001 - report, do not raise
            problems.append(f"{name}.yml: cannot be read: {error}")
            continue
        try:
            check(data, problems)
        except Exception as error:  # noqa: BLE001 - a malformed file must not crash the check
            problems.append(f"{name}.yml: malformed ({type(error).__name__}: {error})")
    return problems
