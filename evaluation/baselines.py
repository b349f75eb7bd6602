"""Two baselines for the benchmark: a keyword router and TF-IDF char n-grams + logistic regression.

`KeywordRouter` is how many rule-based humanitarian bots route messages: a hand-written list of
keywords per intent. The lists below were written from general knowledge of the domain (how
people ask about IDs, compensation, rent, fear, violence ... in Iraqi Arabic, MSA, English and a
little Arabizi), not from the held-out sentences. Routing:

1. text and keywords are normalised with `nlu.arabic.normalize` (hamza, taa marbuta, diacritics);
2. Arabic keywords match anywhere in the text (prefixes and suffixes attach to Arabic words:
   "بيتي", "والتعويض"); a keyword written with spaces around it (" لا ") must be a whole word.
   Latin keywords match whole words; a Latin keyword ending in "*" matches a word prefix;
3. crisis first, as safety-minded rule bots do: any crisis keyword decides (self-harm before
   violence); otherwise the intent with the highest score wins, the score being the summed length
   of its matched keywords times the intent's weight (places weigh 0.3: a place name alone means
   `inform`, next to a topic word it is a detail); ties go to the earlier intent in `KEYWORDS`;
4. nothing matched → `out_of_scope` (the "sorry, I can help with ..." answer of such bots).

`TfidfLogReg` (scikit-learn, imported when built) is the standard strong text-classification
baseline: TF-IDF over char_wb 1-4 n-grams of normalised text, logistic regression with C chosen
by 3-fold cross-validation on the training data only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nlu.arabic import normalize

__all__ = ["KEYWORDS", "INTENT_WEIGHTS", "KeywordRouter", "TfidfLogReg", "NO_MATCH_INTENT"]

NO_MATCH_INTENT = "out_of_scope"

# Intents checked before any scoring, in this order.
PRIORITY_INTENTS: tuple[str, ...] = ("crisis_self_harm", "crisis_violence")

# Score multipliers (1.0 when absent).
INTENT_WEIGHTS: dict[str, float] = {"inform": 0.3}

KEYWORDS: dict[str, tuple[str, ...]] = {
    "crisis_self_harm": (
        "انتحر", "انتحار", "ينتحر", "تنتحر", "اقتل نفسي", "اكتل نفسي", "اموت نفسي", "اذب نفسي",
        "ارمي نفسي", "اشنق نفسي", "اجرح نفسي", "اجرح ايدي", "اذي نفسي", "اؤذي نفسي",
        "انهي حياتي", "اخلص من حياتي", "اريد اموت", "ابي اموت", "اتمنى اموت", "اتمنى الموت",
        "ما اريد اعيش", "ماريد اعيش", "ما ابي اعيش", "مابي اعيش", "لا اريد العيش",
        "لا اريد ان اعيش", "الموت احسن", "الموت ارحم", "suicide", "suicidal", "kill myself",
        "killing myself", "end my life", "want to die", "hurt myself", "cut myself", "self harm",
        "self-harm", "anta7ir", "ente7ar", "inti7ar", "aktil nafsi", "a9tel nafsi", "abi amoot",
        "ariid amoot", "areed amoot", "ma abi a3eesh",
    ),
    "crisis_violence": (
        "يضربني", "يضربنا", "ضربني", "يهددني", "يهددون", "يهددنا", "تهديد", "يكتلني", "يقتلني",
        "يقتلونا", "يذبحني", "اغتصاب", "اغتصبني", "يتحرش", "تحرش", "خطف", "اختطاف", "مسلحين",
        "ملثمين", "اطلاق نار", "يرمون علينا", "عنف اسري", "زواج بالغصب", "زواج قسري", "يبتزني",
        "ابتزاز", "beating me", "hitting me", "hits me", "beats me", "threaten*", "kill me",
        "rape*", "harass*", "kidnap*", "abducted", "armed men", "shot at", "forced marriage",
        "blackmail*", "ydrubni", "yadrubni", "yhadid*", "5atf*",
    ),
    "greet": (
        "مرحبا", "هلا", "هلو", "السلام عليكم", "سلام عليكم", "صباح الخير", "مساء الخير", "اهلا",
        "صباح النور", "مساء النور", "hi", "hello", "hey", "salam", "marhaba", "mar7aba", "hala",
        "good morning", "good evening",
    ),
    "goodbye": (
        "مع السلامه", "باي", "الله وياك", "الله وياكم", "في امان الله", "بامان الله", "فمان الله",
        "الى اللقاء", "تصبحون على خير", "تصبح على خير", "bye", "goodbye", "see you",
        "ma3 alsalama", "ma3 elsalama",
    ),
    "thank": (
        "شكرا", "مشكور", "تسلم", "يسلمو", "الله يخليك", "ممنون", "عاشت ايدك", "عاشت الايادي",
        "جزاك الله", "يعطيك العافيه", "ما قصرت", "thanks", "thank you", "thx", "shukran",
        "mashkoor*",
    ),
    "affirm": (
        " اي ", " ايه ", " نعم ", " اكيد ", " صح ", " تمام ", " موافق ", " اوكي ", " بلي ",
        " صحيح ", "yes", "yeah", "yep", "ok", "okay", "sure", "correct", "na3am", "akeed", "ee",
    ),
    "deny": (
        " لا ", " كلا ", " مو ", " لاء ", " ماريد ", " ما اريد ", " غلط ", "no", "nope",
        "not really", "la2", "la",
    ),
    "bot_challenge": (
        "بوت", "روبوت", "انسان", "بشر", "حقيقي", "ذكاء اصطناعي", "bot", "robot", "human",
        "real person", "are you real", "ai",
    ),
    "ask_capabilities": (
        "شتكدر تسوي", "شنو تسوي", "شنو تكدر", "شلون تساعدني", "شنو خدماتكم", "شنو تقدم",
        "ماذا تستطيع", "ماذا تفعل", "خدماتك", "القائمه", "الخيارات", "what can you do",
        "how can you help", "what do you do", "menu", "options", "help",
    ),
    "out_of_scope": (
        "الجو", "الطقس", "مطر", "درجه الحراره", "كوره", "مباراه", "نكته", "طبخ", "اكله", "اغنيه",
        "فلم", "الدولار", "weather", "football", "joke", "recipe", "song", "movie", "dollar",
    ),
    "choose_language": (
        "عربي", "انكليزي", "انجليزي", "انگليزي", "لغه", "english", "arabic", "language",
    ),
    "housing_damaged_home": (
        "مهدوم", "مهدم", "انهدم", "مدمر", "تدمر", "طاح", "ترميم", "يرمم", "اعمار", "اعمره",
        "تصليح البيت", "سقف", "جدار", "ركام", "محروق", "احترك", "مخلفات حربيه", "damaged",
        "destroyed", "rebuild*", "repair*", "roof", "rubble", "reconstruct*", "tarmeem",
    ),
    "housing_compensation": (
        "تعويض", "يعوض", "مستحقات", "compensat*", "ta3weedh", "ta3widh", "ta3weed",
    ),
    "housing_shelter": (
        "سكن", "مسكن", "ايجار", "ماوى", "ملجا", "خيمه", "مخيم", "كرفان", "بالشارع",
        "ماعندي بيت", "ما عندي بيت", "ما عندي مكان", "ماعندي مكان", "طردنا", "اخلاء", "shelter",
        "rent", "evict*", "homeless", "tent", "camp", "caravan", "place to stay", "ijar",
    ),
    "housing_property_dispute": (
        "طابو", "سند", "ملكيه", "ساكن ببيتي", "ساكنين ببيتي", "محتل", "استولى", "متجاوز",
        "تجاوز", "نزاع", "ورثه", "ميراث", "عقار", "قطعه ارض", "ارضي", "property", "deed",
        "occupied", "squatter*", "inheritance", "dispute", "ownership", "tabu", "tapu",
    ),
    "doc_civil_id": (
        "هويه", "هويتي", "البطاقه الوطنيه", "البطاقه الموحده", "جنسيه", "جواز", "بدل ضايع",
        "بدل تالف", "مستمسكات", "id card", "national id", "passport", "nationality", "lost my id",
        "unified card", "hawiya", "hawiyya", "jinsiya", "jawaz", "bitaqa",
    ),
    "doc_civil_registration": (
        "شهاده ميلاد", "شهاده الميلاد", "بيان ولاده", "تسجيل ولاده", "تسجيل الطفل", "عقد زواج",
        "عقد الزواج", "تصديق العقد", "شهاده وفاه", "وفاه", "طلاق", "انولد", "birth certificate",
        "register my baby", "register my child", "marriage certificate", "marriage contract",
        "death certificate", "divorce", "shahadat milad", "3aqd zawaj",
    ),
    "doc_security_clearance": (
        "تدقيق امني", "موافقه امنيه", "تصريح امني", "تشابه اسماء", "تشابه الاسماء", "مطلوب",
        "الامن الوطني", "سيطره", "security clearance", "security check", "name match",
        "wanted list", "checkpoint", "tadqeeq", "muwafaqa amniya",
    ),
    "pss_distress": (
        "ضايج", "متضايج", "ضيقه", "حزين", "حزن", "كابه", "اكتئاب", "قلق", "خايف", "ما انام",
        "ارق", "كوابيس", "نفسيتي", "مخنوك", "خنقه", "ياس", "توتر", "انهيار", "مهموم", "depress*",
        "anxious", "anxiety", "stress*", "sad", "can't sleep", "nightmares", "panic", "lonely",
        "day2an", "mdaye2", "nafsiti",
    ),
    "pss_child": (
        "ابني", "بنتي", "اطفالي", "جهالي", "ولدي", "طفلي", "الطفل", "الاطفال", "الجهال",
        "يبول", "يتبول", "my son", "my daughter", "my child", "my kids", "children", "ibni",
        "binti", "atfali",
    ),
    "pss_stigma": (
        "دواعش", "داعش", "وصمه", "يسمونا", "منبوذ", "ينبذونا", "يرفضونا", "عزله", "يتجنبونا",
        "stigma", "isis", "daesh", "shunned", "outcast", "discriminat*",
    ),
    "referral_request": (
        "سجلني", "سجلوني", "يتواصل وياي", "يتصل بي", "يتصل بيه", "احاله", "تحويل", "موظف",
        "باحث", "caseworker", "case worker", "refer me", "referral", "call me", "contact me",
        "sign me up", "register me", "sajilni", "sajluni",
    ),
    "referral_status": (
        "طلبي", "شصار بطلبي", "وين وصل", "رقم الطلب", "متابعه الطلب", "ما تواصلو", "محد اتصل",
        "status", "my request", "my referral", "follow up", "any news", "talabi", "r-*",
    ),
    "data_delete": (
        "امسح", "احذف", "مسح معلوماتي", "حذف بياناتي", "الغاء تسجيلي", "delete*", "erase",
        "remove my", "forget me", "imsa7",
    ),
    "privacy_question": (
        "خصوصيه", "معلوماتي", "بياناتي", "منو يشوف", "منو يقرا", "سري", "تشاركون", "privacy",
        "private", "confidential", "who can see", "share my data", "who reads",
    ),
    "livelihood_support": (
        "شغل", "وظيفه", "تعيين", "راتب", "فلوس", "منحه", "مشروع صغير", "قرض", "مساعده ماديه",
        "سله غذائيه", "معونه", "تدريب مهني", "job", "work", "employment", "salary", "cash",
        "grant", "loan", "small business", "income", "food basket", "shughul", "shogul",
        "wadhifa",
    ),
    "inform": (
        "انبار", "رمادي", "فلوجه", "هيت", "حديثه", "القايم", "عانه", "راوه", "موصل", "نينوى",
        "سنجار", "تلعفر", "الحمدانيه", "بعشيقه", "تلكيف", "صلاح الدين", "تكريت", "سامراء", "بيجي",
        "الشرقاط", "ديالى", "بعقوبه", "المقداديه", "خانقين", "جلولاء", "كركوك", "الحويجه", "داقوق",
        "بغداد", "اربيل", "دهوك", "سليمانيه", "بابل", "الحله", "البصره", "كربلاء", "النجف", "واسط",
        "الكوت", "ذي قار", "الناصريه", "ميسان", "العماره", "المثنى", "السماوه", "الديوانيه",
        "حلبجه", "anbar", "ramadi", "fallujah", "falluja", "haditha", "qaim", "mosul", "ninewa",
        "nineveh", "sinjar", "tal afar", "tikrit", "samarra", "baiji", "sharqat", "diyala",
        "baqubah", "baquba", "khanaqin", "muqdadiya", "kirkuk", "hawija", "baghdad", "erbil",
        "duhok", "dohuk", "sulaymaniyah", "basra", "karbala", "najaf", "kut", "nasiriyah",
    ),
}


def _is_latin(keyword: str) -> bool:
    return any("a" <= char <= "z" for char in keyword)


@dataclass(frozen=True)
class _Pattern:
    """One compiled keyword: its regex and its length (the score it adds)."""

    regex: re.Pattern[str]
    length: int


def compile_keyword(keyword: str) -> _Pattern:
    """Compile one keyword following the matching rules of the module docstring."""
    prefix = keyword.endswith("*")
    raw = keyword.strip().rstrip("*")
    latin = _is_latin(raw)
    # Latin keywords are only lowercased: normalize() would split "r-" into "r -".
    body = raw.lower() if latin else normalize(raw)
    whole_word = keyword.startswith(" ") or keyword.endswith(" ")
    escaped = re.escape(body)
    if latin:
        pattern = rf"(?<![a-z0-9]){escaped}" + ("" if prefix else r"(?![a-z0-9])")
    elif whole_word:
        pattern = rf"(?<!\w){escaped}(?!\w)"
    else:
        pattern = escaped
    return _Pattern(re.compile(pattern), len(body))


@dataclass
class KeywordRouter:
    """Routes a text to an intent with the keyword lists (see the module docstring)."""

    keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(KEYWORDS))
    weights: dict[str, float] = field(default_factory=lambda: dict(INTENT_WEIGHTS))
    priority: tuple[str, ...] = PRIORITY_INTENTS
    fallback: str = NO_MATCH_INTENT

    def __post_init__(self) -> None:
        self._patterns = {
            intent: [compile_keyword(k) for k in words] for intent, words in self.keywords.items()
        }

    def scores(self, text: str) -> dict[str, float]:
        """Weighted score of every intent with at least one matching keyword."""
        normalised = normalize(text)
        result: dict[str, float] = {}
        for intent, patterns in self._patterns.items():
            score = sum(p.length for p in patterns if p.regex.search(normalised))
            if score:
                result[intent] = score * self.weights.get(intent, 1.0)
        return result

    def predict_one(self, text: str) -> str:
        """The routed intent of one text."""
        scores = self.scores(text)
        for intent in self.priority:
            if intent in scores:
                return intent
        if not scores:
            return self.fallback
        order = list(self._patterns)
        return max(scores, key=lambda intent: (scores[intent], -order.index(intent)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Routed intents of several texts."""
        return [self.predict_one(text) for text in texts]


@dataclass
class TfidfLogReg:
    """TF-IDF char_wb 1-4 n-grams of normalised text + logistic regression (scikit-learn)."""

    c_grid: tuple[float, ...] = (1.0, 10.0, 100.0)
    ngram_range: tuple[int, int] = (1, 4)
    random_state: int = 42
    chosen_c: float | None = None
    training_seconds: float | None = None  # the C search and the final fit
    final_fit_seconds: float | None = None  # the final fit alone
    _model: Any = None

    def _pipeline(self, c: float) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=self.ngram_range,
                sublinear_tf=True,
                preprocessor=normalize,
            ),
            LogisticRegression(C=c, max_iter=2000, random_state=self.random_state),
        )

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfLogReg:
        """Choose C by 3-fold stratified CV (macro-F1) on the training data, then refit."""
        from sklearn.model_selection import StratifiedKFold, cross_val_score

        started = time.perf_counter()
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=self.random_state)
        best_c, best_score = self.c_grid[0], -1.0
        if len(self.c_grid) > 1:
            for c in self.c_grid:
                score = cross_val_score(
                    self._pipeline(c), list(texts), list(labels), cv=folds, scoring="f1_macro"
                ).mean()
                if score > best_score:
                    best_c, best_score = c, score
        self.chosen_c = best_c
        final_started = time.perf_counter()
        self._model = self._pipeline(best_c).fit(list(texts), list(labels))
        self.final_fit_seconds = time.perf_counter() - final_started
        self.training_seconds = time.perf_counter() - started
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Predicted intents."""
        if self._model is None:
            raise RuntimeError("call fit() first")
        return [str(label) for label in self._model.predict(list(texts))]
