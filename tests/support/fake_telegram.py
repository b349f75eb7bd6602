"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

The real bot (python-telegram-bot) is pointed at it with
``Application.builder().token(token).base_url(fake.base_url)``; requests then arrive at
``/bot{token}/{method}``. The server runs in a background thread of the test process, so a test
pushes updates (``push_text``, ``push_callback``, ...) and inspects what the bot did
(``sent_messages``, ``wait_for_messages``, ``requests``, ...). All public methods are thread-safe.

Supported methods: getMe, getUpdates (long poll), setWebhook / deleteWebhook / getWebhookInfo
(with delivery of updates to a loopback webhook), sendMessage, sendChatAction,
answerCallbackQuery, editMessageText, editMessageReplyMarkup, deleteMessage, setMyCommands,
getMyCommands, deleteMyCommands, setMyDescription, setMyShortDescription, setChatMenuButton,
close, logOut. Any other method is answered with a 400 error and recorded, so a test can assert
that none was called (``unimplemented_calls``).

Example::

    with FakeTelegram() as fake:
        app = Application.builder().token(fake.token).base_url(fake.base_url).build()
        ...
        cursor = fake.mark()
        fake.push_text(42, "مرحبا")
        [reply] = await fake.wait_for_messages_async(42, 1, since=cursor)
"""

from __future__ import annotations

import asyncio
import copy
import email.parser
import email.policy
import http.client
import json
import logging
import re
import socket
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

LOGGER = logging.getLogger(__name__)

JsonDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_GET_UPDATES_LIMIT = 100
WEBHOOK_ATTEMPTS = 3
WEBHOOK_RETRY_DELAY = 0.2

PARSE_MODES = frozenset({"markdown", "markdownv2", "html"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
COMMAND_PATTERN = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
BOT_COMMAND_PATTERN = re.compile(r"[a-z0-9_]{1,32}")

# Form values that must stay strings; every other form value is decoded as JSON when it parses
# (python-telegram-bot sends numbers, booleans, lists and objects JSON-encoded).
STRING_PARAMS = frozenset(
    {
        "action",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "first_name",
        "inline_message_id",
        "ip_address",
        "language_code",
        "last_name",
        "name",
        "parse_mode",
        "query",
        "secret_token",
        "short_description",
        "text",
        "title",
        "url",
        "username",
    }
)

DEFAULT_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """The JSON body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 error with Telegram's ``Bad Request: ...`` description."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class _Fault:
    """An injected failure for the next ``remaining`` calls of a method."""

    method: str
    error: ApiError
    chat_id: int | str | None
    remaining: int

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.method not in ("*", method):
            return False
        if self.chat_id is None:
            return True
        return str(params.get("chat_id")) == str(self.chat_id)


# --------------------------------------------------------------------------- pure helpers


def decode_params(query: str, content_type: str, body: bytes) -> JsonDict:
    """Decode a Bot API request's parameters: query string plus a form, JSON or multipart body.

    Form values are strings on the wire; values other than ``STRING_PARAMS`` are decoded as JSON
    when possible, so ``chat_id="42"`` becomes ``42`` and ``reply_markup`` becomes a dict.
    """
    raw: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json" and body.strip():
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise bad_request("can't parse JSON encoded request body") from exc
        if not isinstance(data, dict):
            raise bad_request("JSON object expected as request body")
        raw.update(data)
    elif mime == "application/x-www-form-urlencoded":
        raw.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif mime == "multipart/form-data":
        raw.update(_parse_multipart(content_type, body))
    return {key: _coerce(key, value) for key, value in raw.items()}


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> JsonDict:
    """Parse a multipart/form-data body; files become ``{"filename", "size"}``."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: JsonDict = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename:
            fields[str(name)] = {"filename": filename, "size": len(payload)}
        else:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields


def command_entities(text: str) -> list[JsonDict]:
    """The ``bot_command`` entity Telegram adds to a text that starts with a command."""
    match = COMMAND_PATTERN.match(text)
    if match is None:
        return []
    length = len(match.group(0).encode("utf-16-le")) // 2
    return [{"type": "bot_command", "offset": 0, "length": length}]


def validate_text(text: Any) -> str:
    """Check a message text like the Bot API does and return it."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise bad_request("message text is empty")
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text


def validate_parse_mode(parse_mode: Any) -> str | None:
    """Accept no parse mode or one of Markdown, MarkdownV2 and HTML (any case)."""
    if parse_mode in (None, ""):
        return None
    if not isinstance(parse_mode, str) or parse_mode.lower() not in PARSE_MODES:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return parse_mode


class _HtmlChecker(HTMLParser):
    """Checks Telegram's HTML subset: known tags, properly nested; collects the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open_tags: list[str] = []
        self.parts: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'
            return
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain_text(text: str) -> str:
    """Validate Telegram HTML and return the text without tags (as Telegram stores it)."""
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error is None and checker.open_tags:
        checker.error = f'Can\'t find end tag corresponding to start tag "{checker.open_tags[-1]}"'
    if checker.error:
        raise bad_request(f"can't parse entities: {checker.error}")
    return "".join(checker.parts)


def validate_reply_markup(markup: Any) -> JsonDict | None:
    """Check a reply markup (already JSON-decoded) like the Bot API does and return it."""
    if markup in (None, ""):
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError as exc:
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        for button in _keyboard_buttons(markup["inline_keyboard"], "inline_keyboard"):
            _validate_inline_button(button)
    elif "keyboard" in markup:
        for button in _keyboard_buttons(markup["keyboard"], "keyboard"):
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise bad_request("keyboard button text must be a non-empty String")
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request("object expected as reply markup")
    return markup


def _keyboard_buttons(rows: Any, field: str) -> list[Any]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the keyboard must be an Array of Arrays')
    return [button for row in rows for button in row]


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")
    elif not any(key != "text" for key in button):
        raise bad_request("text buttons are unallowed in the inline keyboard")


def markup_buttons(markup: JsonDict | None) -> list[JsonDict]:
    """All buttons of an inline or reply keyboard, row by row, as dicts with at least ``text``."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [
        button if isinstance(button, dict) else {"text": button} for row in rows for button in row
    ]


def update_type(update: JsonDict) -> str:
    """The kind of an update: its one key other than ``update_id``."""
    return next((key for key in update if key != "update_id"), "")


def normalize_chat_id(value: Any) -> int | str:
    """Turn a ``chat_id`` parameter into an int (or an ``@username`` string)."""
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    if isinstance(value, bool):
        raise bad_request("chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if value.startswith("@"):
            return value
        try:
            return int(value)
        except ValueError:
            pass
    raise bad_request("chat not found")


def _int_param(params: JsonDict, name: str, default: int) -> int:
    value = params.get(name, default)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"field \"{name}\" must be of type Integer") from exc


# --------------------------------------------------------------------------- HTTP layer


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that remembers its open connections so ``stop`` can close them."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeTelegram) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def close_connections(self) -> None:
        """Shut down every open client connection (idle keep-alive ones included)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    """Routes ``/bot{token}/{method}`` requests to ``FakeTelegram.handle_request``."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegram/1.0"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms stalls
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        LOGGER.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        split = urllib.parse.urlsplit(self.path)
        status, payload = self.server.fake.handle_request(
            urllib.parse.unquote(split.path),
            split.query,
            self.headers.get("Content-Type", ""),
            body,
        )
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""


# --------------------------------------------------------------------------- the fake


class FakeTelegram:
    """A fake Bot API server: push updates in, read what the bot sent out.

    Use as a context manager or call ``start()`` / ``stop()``. ``latency`` (seconds) delays the
    answer of every method except getUpdates, to imitate a real network in benchmarks.
    """

    def __init__(
        self,
        token: str = "123:TEST",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_first_name: str = "Test Bot",
        bot_username: str = "test_returnee_bot",
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.latency = latency
        self._host = host
        self._port = port
        bot_id = token.split(":", 1)[0]
        self.bot_user: JsonDict = {
            "id": int(bot_id) if bot_id.isdigit() else 123,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        # One lock, two conditions: ``_cond`` wakes waiters for the bot's output (messages,
        # edits, ...), ``_updates_cond`` wakes long polls and webhook workers (the update queue).
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._updates_cond = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._handlers: dict[str, tuple[str, Callable[[JsonDict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("sendMessage", self._send_message),
                ("sendChatAction", self._send_chat_action),
                ("answerCallbackQuery", self._answer_callback_query),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setMyDescription", self._accept),
                ("setMyShortDescription", self._accept),
                ("setChatMenuButton", self._accept),
                ("close", self._accept),
                ("logOut", self._accept),
            )
        }
        self._reset_state()
        self._next_update_id = 10_001
        self._next_callback_id = 1
        self._next_message_ids: dict[int | str, int] = {}
        self._chats: dict[int | str, JsonDict] = {}

    def _reset_state(self) -> None:
        """Clear queues, logs and injected faults (ids keep increasing)."""
        self._pending: list[JsonDict] = []
        self._in_flight: set[int] = set()
        self._requests: list[JsonDict] = []
        self._sent: list[JsonDict] = []
        self._edits: list[JsonDict] = []
        self._messages: dict[tuple[int | str, int], JsonDict] = {}
        self._callback_ids: set[str] = set()
        self._callback_answers: list[JsonDict] = []
        self._chat_actions: list[JsonDict] = []
        self._faults: list[_Fault] = []
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._allowed_updates: list[str] = []
        self._webhook: JsonDict | None = None
        self._webhook_generation = 0
        self._webhook_deliveries: list[JsonDict] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeTelegram:
        """Bind the port and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        self._stopping = False
        self._server = _Server((self._host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"fake-telegram-{self.port}",
            daemon=True,
        )
        self._thread.start()
        LOGGER.debug("fake Telegram listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Answer waiting long polls, close every connection and stop the server thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._webhook_generation += 1
            self._cond.notify_all()
            self._updates_cond.notify_all()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None
        LOGGER.debug("fake Telegram stopped")

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (valid after ``start``)."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder.base_url`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ``ApplicationBuilder.base_file_url`` (file downloads are not served)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def reset(self) -> None:
        """Forget pending updates, recorded requests, messages, faults and the webhook."""
        with self._cond:
            self._webhook_generation += 1
            self._reset_state()
            self._cond.notify_all()
            self._updates_cond.notify_all()

    # ------------------------------------------------------------------ request handling

    def handle_request(
        self, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, JsonDict]:
        """Answer one HTTP request: returns the status and the JSON body."""
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method_name = parts[0][3:], parts[1]
        key = method_name.lower()
        canonical, handler = self._handlers.get(key, (method_name, None))
        record: JsonDict = {
            "method": canonical,
            "params": {},
            "time": time.time(),
            "implemented": handler is not None,
            "status": None,
            "response": None,
        }
        with self._cond:
            self._requests.append(record)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            params = decode_params(query, content_type, body)
            record["params"] = params
            self._raise_injected_fault(key, params)
            if handler is None:
                raise bad_request("method not implemented in fake")
            if self.latency > 0 and key != "getupdates":
                time.sleep(self.latency)
            status, payload = 200, {"ok": True, "result": handler(params)}
        except ApiError as error:
            status, payload = error.status, error.body()
        except Exception as exc:  # a bug in the fake: answer 500 and log it, never hang
            LOGGER.exception("fake Telegram failed on %s", canonical)
            status = 500
            payload = {"ok": False, "error_code": 500, "description": f"Fake error: {exc!r}"}
        LOGGER.debug("%s -> %s", canonical, status)
        with self._cond:
            record["status"] = status
            record["response"] = payload
        return status, payload

    def _raise_injected_fault(self, method: str, params: JsonDict) -> None:
        with self._cond:
            for fault in self._faults:
                if fault.matches(method, params):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    raise fault.error

    # ------------------------------------------------------------------ Bot API methods

    def _accept(self, params: JsonDict) -> bool:
        return True

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", MAX_GET_UPDATES_LIMIT), 1), 100)
        timeout = max(_int_param(params, "timeout", 0), 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = list(params["allowed_updates"])
            self._confirm(offset)
            while True:
                self._drop_disallowed()
                batch = self._pending[:limit]
                remaining = deadline - time.monotonic()
                if batch or self._stopping or remaining <= 0:
                    return copy.deepcopy(batch)
                self._updates_cond.wait(remaining)

    def _confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` (negative: keep only the last ``-offset``)."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._updates_cond.notify_all()

    def _drop_disallowed(self) -> None:
        if self._allowed_updates:
            allowed = set(self._allowed_updates)
            self._pending = [u for u in self._pending if update_type(u) in allowed]

    def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        if not url:
            return self._delete_webhook(params)
        split = urllib.parse.urlsplit(str(url))
        if split.scheme != "http" or split.hostname not in LOOPBACK_HOSTS:
            raise bad_request("bad webhook: the fake delivers only to http:// loopback URLs")
        max_connections = min(max(_int_param(params, "max_connections", 40), 1), 100)
        with self._cond:
            if params.get("drop_pending_updates"):
                self._pending.clear()
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = list(params["allowed_updates"])
            self._webhook_generation += 1
            self._webhook = {
                "url": str(url),
                "secret_token": params.get("secret_token"),
                "max_connections": max_connections,
                "last_error_date": None,
                "last_error_message": None,
            }
            generation = self._webhook_generation
            self._updates_cond.notify_all()
        for number in range(max_connections):
            threading.Thread(
                target=self._webhook_worker,
                args=(generation,),
                name=f"fake-telegram-webhook-{number}",
                daemon=True,
            ).start()
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        with self._cond:
            if params.get("drop_pending_updates"):
                self._pending.clear()
            self._webhook = None
            self._webhook_generation += 1
            self._updates_cond.notify_all()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        with self._cond:
            info: JsonDict = {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
            webhook = self._webhook
            if webhook is not None:
                info["url"] = webhook["url"]
                info["max_connections"] = webhook["max_connections"]
                if webhook["last_error_date"]:
                    info["last_error_date"] = webhook["last_error_date"]
                    info["last_error_message"] = webhook["last_error_message"]
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            return info

    def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = normalize_chat_id(params.get("chat_id"))
        text = validate_text(params.get("text"))
        parse_mode = validate_parse_mode(params.get("parse_mode"))
        plain_text = html_to_plain_text(text) if (parse_mode or "").lower() == "html" else text
        markup = validate_reply_markup(params.get("reply_markup"))
        now = time.time()
        with self._cond:
            message_id = self._take_message_id(chat_id)
            message: JsonDict = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "date": int(now),
                "chat": dict(self._chat_for(chat_id)),
                "text": plain_text,
            }
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            self._messages[(chat_id, message_id)] = message
            self._sent.append(
                {
                    "index": len(self._sent),
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "text": text,
                    "parse_mode": parse_mode,
                    "reply_markup": markup,
                    "buttons": markup_buttons(markup),
                    "date": int(now),
                    "time": now,
                    "params": params,
                    "message": copy.deepcopy(message),
                }
            )
            self._cond.notify_all()
            return copy.deepcopy(message)

    def _send_chat_action(self, params: JsonDict) -> bool:
        chat_id = normalize_chat_id(params.get("chat_id"))
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        with self._cond:
            self._chat_actions.append({"chat_id": chat_id, "action": action, "time": time.time()})
            self._cond.notify_all()
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        with self._cond:
            if query_id not in self._callback_ids:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._callback_answers.append(
                {
                    "callback_query_id": query_id,
                    "text": params.get("text"),
                    "show_alert": bool(params.get("show_alert", False)),
                    "time": time.time(),
                }
            )
            self._cond.notify_all()
        return True

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        text = validate_text(params.get("text"))
        parse_mode = validate_parse_mode(params.get("parse_mode"))
        plain_text = html_to_plain_text(text) if (parse_mode or "").lower() == "html" else text
        markup = validate_reply_markup(params.get("reply_markup"))
        return self._edit(params, {"text": plain_text}, markup, sent_text=text)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        markup = validate_reply_markup(params.get("reply_markup"))
        return self._edit(params, {}, markup, sent_text=None)

    def _edit(
        self, params: JsonDict, changes: JsonDict, markup: JsonDict | None, sent_text: str | None
    ) -> JsonDict | bool:
        """Apply an edit to a recorded bot message; Telegram drops the keyboard when omitted."""
        if params.get("inline_message_id"):
            return True
        chat_id = normalize_chat_id(params.get("chat_id"))
        message_id = _int_param(params, "message_id", 0)
        inline_markup = markup if markup and "inline_keyboard" in markup else None
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None:
                raise bad_request("message to edit not found")
            new = {**message, **changes}
            new.pop("reply_markup", None)
            if inline_markup:
                new["reply_markup"] = inline_markup
            unchanged = {k: v for k, v in message.items() if k != "edit_date"}
            if {k: v for k, v in new.items() if k != "edit_date"} == unchanged:
                raise bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            new["edit_date"] = int(time.time())
            self._messages[(chat_id, message_id)] = new
            self._edits.append(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "text": sent_text,
                    "reply_markup": markup,
                    "time": time.time(),
                    "message": copy.deepcopy(new),
                }
            )
            self._cond.notify_all()
            return copy.deepcopy(new)

    def _delete_message(self, params: JsonDict) -> bool:
        chat_id = normalize_chat_id(params.get("chat_id"))
        message_id = _int_param(params, "message_id", 0)
        with self._cond:
            if self._messages.pop((chat_id, message_id), None) is None:
                raise bad_request("message to delete not found")
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not BOT_COMMAND_PATTERN.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("command description must be 1-256 characters long")
        with self._cond:
            self._commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        with self._cond:
            return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        with self._cond:
            self._commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: JsonDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    # ------------------------------------------------------------------ webhook delivery

    def _webhook_worker(self, generation: int) -> None:
        """POST pending updates to the webhook until it is removed or the server stops."""
        while True:
            with self._cond:
                while True:
                    if self._stopping or self._webhook_generation != generation:
                        return
                    self._drop_disallowed()
                    update = next(
                        (u for u in self._pending if u["update_id"] not in self._in_flight), None
                    )
                    if update is not None:
                        break
                    self._updates_cond.wait()
                self._in_flight.add(update["update_id"])
                webhook = dict(self._webhook or {})
            self._deliver(update, webhook, generation)

    def _deliver(self, update: JsonDict, webhook: JsonDict, generation: int) -> None:
        error: str | None = None
        status = 0
        for attempt in range(WEBHOOK_ATTEMPTS):
            status, error = self._post_update(update, webhook)
            if error is None:
                break
            if attempt + 1 < WEBHOOK_ATTEMPTS:
                time.sleep(WEBHOOK_RETRY_DELAY)
        with self._cond:
            self._in_flight.discard(update["update_id"])
            self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
            self._webhook_deliveries.append(
                {"update_id": update["update_id"], "status": status, "error": error}
            )
            if error is not None and self._webhook and self._webhook_generation == generation:
                self._webhook["last_error_date"] = int(time.time())
                self._webhook["last_error_message"] = error
            self._updates_cond.notify_all()

    @staticmethod
    def _post_update(update: JsonDict, webhook: JsonDict) -> tuple[int, str | None]:
        split = urllib.parse.urlsplit(webhook["url"])
        path = split.path or "/"
        if split.query:
            path += "?" + split.query
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
        connection = http.client.HTTPConnection(split.hostname or "", split.port or 80, timeout=30)
        try:
            connection.request("POST", path, body=json.dumps(update).encode(), headers=headers)
            response = connection.getresponse()
            response.read()
        except OSError as exc:
            return 0, f"Connection error: {exc}"
        finally:
            connection.close()
        if 200 <= response.status <= 299:
            return response.status, None
        return response.status, f"Wrong response from the webhook: {response.status}"

    # ------------------------------------------------------------------ pushing updates

    def push_update(self, update: JsonDict) -> int:
        """Queue a raw update (any type); ``update_id`` is assigned when missing. Returns it."""
        update = copy.deepcopy(update)
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
            self._pending.append(update)
            self._updates_cond.notify_all()
        LOGGER.debug("queued update %s (%s)", update["update_id"], update_type(update))
        return int(update["update_id"])

    def make_user(
        self, user_id: int, first_name: str = "Test", language_code: str | None = "ar"
    ) -> JsonDict:
        """A Telegram User object for a human user."""
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def make_chat(
        self, chat_id: int | str, chat_type: str = "private", first_name: str = "Test"
    ) -> JsonDict:
        """A Telegram Chat object; the fake remembers it for the bot's messages to that chat."""
        chat: JsonDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Test channel" if chat_type == "channel" else "Test group"
        with self._cond:
            self._chats[chat_id] = chat
        return dict(chat)

    def push_message(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        language_code: str | None = "ar",
        kind: str = "message",
        message_id: int | None = None,
        **fields: Any,
    ) -> int:
        """Queue a message update with any content fields (``text=``, ``voice=``, ``photo=``, ...).

        ``kind`` is the update field: message, edited_message, channel_post or
        edited_channel_post (edits need ``message_id``). Returns the update_id.
        """
        if chat_id is None:
            if chat_type != "private":
                raise ValueError("chat_id is required for group and channel chats")
            chat_id = user_id
        if kind.startswith("edited_") and message_id is None:
            raise ValueError("an edited message needs the message_id it edits")
        chat = self.make_chat(chat_id, chat_type, first_name)
        with self._cond:
            if message_id is None:
                message_id = self._take_message_id(chat_id)
        message: JsonDict = {"message_id": message_id, "date": int(time.time()), "chat": chat}
        if chat_type != "channel":
            message["from"] = self.make_user(user_id, first_name, language_code)
        message.update(fields)
        if kind.startswith("edited_"):
            message["edit_date"] = int(time.time())
        return self.push_update({kind: message})

    def push_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        language_code: str | None = "ar",
    ) -> int:
        """Queue a text message from a user (with a bot_command entity for ``/command``)."""
        fields: JsonDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return self.push_message(
            user_id,
            chat_id=chat_id,
            chat_type=chat_type,
            first_name=first_name,
            language_code=language_code,
            **fields,
        )

    def push_command(
        self, user_id: int, command: str, payload: str | None = None, **kwargs: Any
    ) -> int:
        """Queue ``/command payload`` (e.g. ``/start`` with a deep-link payload)."""
        text = command if command.startswith("/") else f"/{command}"
        if payload:
            text = f"{text} {payload}"
        return self.push_text(user_id, text, **kwargs)

    def push_callback(
        self,
        user_id: int,
        message_id: int,
        data: str,
        chat_id: int | None = None,
        first_name: str = "Test",
        language_code: str | None = "ar",
    ) -> str:
        """Queue a callback query for a button of the bot's message; returns the query id."""
        chat_id = user_id if chat_id is None else chat_id
        with self._cond:
            message = copy.deepcopy(self._messages.get((chat_id, message_id)))
            if message is None:
                message = {
                    "message_id": message_id,
                    "from": dict(self.bot_user),
                    "date": int(time.time()),
                    "chat": dict(self._chat_for(chat_id)),
                    "text": "",
                }
            query_id = str(4_000_000_000_000 + self._next_callback_id)
            self._next_callback_id += 1
            self._callback_ids.add(query_id)
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.make_user(user_id, first_name, language_code),
                    "chat_instance": str(zlib.crc32(str(chat_id).encode())),
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def press_button(self, user_id: int, message: JsonDict, button_text: str) -> str:
        """Press the inline button labelled ``button_text`` of a recorded sent message.

        Uses the message's current keyboard (after edits). Returns the callback query id.
        """
        chat_id, message_id = message["chat_id"], message["message_id"]
        current = self.message(chat_id, message_id)
        markup = current.get("reply_markup") if current is not None else message.get("reply_markup")
        buttons = (markup or {}).get("inline_keyboard") or []
        flat = [button for row in buttons for button in row]
        found = next((b for b in flat if b.get("text") == button_text), None)
        if found is None:
            wanted = button_text.strip()
            found = next((b for b in flat if b.get("text", "").strip() == wanted), None)
        if found is None:
            texts = [b.get("text") for b in flat]
            raise LookupError(f"no inline button {button_text!r} in message {message_id}: {texts}")
        if "callback_data" not in found:
            raise ValueError(f"button {button_text!r} has no callback_data: {found}")
        return self.push_callback(user_id, message_id, found["callback_data"], chat_id=chat_id)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) fail with ``status``.

        429 answers carry ``parameters.retry_after``; ``chat_id`` limits the fault to one chat
        (e.g. ``status=403`` for a user who blocked the bot).
        """
        if status == 429:
            error = ApiError(
                429,
                description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        else:
            error = ApiError(status, description or DEFAULT_ERROR_DESCRIPTIONS.get(status, "Error"))
        with self._cond:
            self._faults.append(_Fault(method.lower(), error, chat_id, times))

    # ------------------------------------------------------------------ inspection

    def mark(self) -> int:
        """A cursor into the sent-message log: pass it as ``since`` to see only newer messages."""
        with self._cond:
            return len(self._sent)

    def sent_messages(self, chat_id: int | str | None = None, since: int = 0) -> list[JsonDict]:
        """Messages the bot sent (oldest first), optionally to one chat and after a cursor.

        Each has index, chat_id, message_id, text (as sent), parse_mode, reply_markup (parsed),
        buttons (flat list), date, time, params and message (the API Message returned).
        """
        with self._cond:
            return copy.deepcopy(self._select_sent(chat_id, since))

    def _select_sent(self, chat_id: int | str | None, since: int) -> list[JsonDict]:
        return [m for m in self._sent[since:] if chat_id is None or m["chat_id"] == chat_id]

    def wait_for_messages(
        self, chat_id: int | str | None, count: int, timeout: float = 30.0, since: int = 0
    ) -> list[JsonDict]:
        """Block until ``count`` messages were sent to the chat after ``since``; return those.

        Raises TimeoutError listing what was sent. Do not call this from the event loop that
        runs the bot: use ``wait_for_messages_async`` there.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("inside a running event loop use 'await wait_for_messages_async'")
        return self._wait_for_messages(chat_id, count, timeout, since)

    async def wait_for_messages_async(
        self, chat_id: int | str | None, count: int, timeout: float = 30.0, since: int = 0
    ) -> list[JsonDict]:
        """``wait_for_messages`` without blocking the event loop."""
        return await asyncio.to_thread(self._wait_for_messages, chat_id, count, timeout, since)

    def _wait_for_messages(
        self, chat_id: int | str | None, count: int, timeout: float, since: int
    ) -> list[JsonDict]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._select_sent(chat_id, since)
                if len(found) >= count:
                    return copy.deepcopy(found[:count])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [m["text"] for m in found]
                    raise TimeoutError(
                        f"expected {count} message(s) to chat {chat_id} within {timeout}s, "
                        f"got {len(found)}: {texts}"
                    )
                self._cond.wait(remaining)

    def wait_until_consumed(self, timeout: float = 10.0) -> None:
        """Block until every pushed update was confirmed (polling offset) or delivered (webhook)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._pending)} update(s) still pending")
                self._updates_cond.wait(remaining)

    def message(self, chat_id: int | str, message_id: int) -> JsonDict | None:
        """The current state of a bot message (after edits), or None if unknown or deleted."""
        with self._cond:
            return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def edits(self, chat_id: int | str | None = None) -> list[JsonDict]:
        """Successful editMessageText / editMessageReplyMarkup calls, oldest first."""
        with self._cond:
            return copy.deepcopy(
                [e for e in self._edits if chat_id is None or e["chat_id"] == chat_id]
            )

    def answered_callbacks(self) -> list[str]:
        """The callback query ids the bot answered, in order."""
        with self._cond:
            return [a["callback_query_id"] for a in self._callback_answers]

    def callback_answers(self) -> list[JsonDict]:
        """The bot's answerCallbackQuery calls: callback_query_id, text, show_alert, time."""
        with self._cond:
            return copy.deepcopy(self._callback_answers)

    def chat_actions(self, chat_id: int | str) -> list[str]:
        """The chat actions (``typing``, ...) the bot sent to a chat, in order."""
        with self._cond:
            return [a["action"] for a in self._chat_actions if a["chat_id"] == chat_id]

    def requests(self, method: str | None = None) -> list[JsonDict]:
        """Every request received (method, params, time, implemented, status, response)."""
        with self._cond:
            return copy.deepcopy(
                [
                    r
                    for r in self._requests
                    if method is None or r["method"].lower() == method.lower()
                ]
            )

    def unimplemented_calls(self) -> list[JsonDict]:
        """Requests for methods the fake does not implement (a test can assert this is empty)."""
        with self._cond:
            return copy.deepcopy([r for r in self._requests if not r["implemented"]])

    def pending_updates(self) -> list[JsonDict]:
        """Updates pushed but not yet confirmed by the bot."""
        with self._cond:
            return copy.deepcopy(self._pending)

    def my_commands(self, language_code: str = "", scope: JsonDict | None = None) -> list[JsonDict]:
        """The command list the bot set with setMyCommands for a scope and language."""
        return self._get_my_commands({"language_code": language_code, "scope": scope})

    def webhook_info(self) -> JsonDict:
        """The same dict getWebhookInfo returns."""
        return self._get_webhook_info({})

    def webhook_deliveries(self) -> list[JsonDict]:
        """Webhook POSTs made: update_id, status and error (None on success)."""
        with self._cond:
            return copy.deepcopy(self._webhook_deliveries)

    # ------------------------------------------------------------------ internals

    def _take_message_id(self, chat_id: int | str) -> int:
        """The next message id of a chat (shared by the user's and the bot's messages)."""
        message_id = self._next_message_ids.get(chat_id, 1)
        self._next_message_ids[chat_id] = message_id + 1
        return message_id

    def _chat_for(self, chat_id: int | str) -> JsonDict:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if isinstance(chat_id, str):
            username = chat_id[1:]
            return {"id": -1001, "type": "channel", "title": "Test channel", "username": username}
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        return {"id": chat_id, "type": "group", "title": "Test group"}
