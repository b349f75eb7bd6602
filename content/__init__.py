"""What the returnee assistant says: bilingual answers, service directory, emergency contacts.

The data lives in YAML files next to this package; `content.loader` reads them lazily and
renders Rasa-dispatcher-like message dicts. Nothing is read at import time.
"""

from content.loader import (
    category_name,
    clear_cache,
    emergency_lines,
    governorate_name,
    governorate_question,
    local_services,
    message,
    referral_offer,
    safety_message,
    status_name,
    topic_answer,
    topic_buttons,
    topics,
    validate_content,
)

__all__ = [
    "category_name",
    "clear_cache",
    "emergency_lines",
    "governorate_name",
    "governorate_question",
    "local_services",
    "message",
    "referral_offer",
    "safety_message",
    "status_name",
    "topic_answer",
    "topic_buttons",
    "topics",
    "validate_content",
]
