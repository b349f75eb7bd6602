"""Helpers of the tests: the fake Telegram Bot API, child processes, records, a tracker file."""

# The data key of every test and of every process the tests start (urlsafe base64 of
# b"test-data-encryption-key-32bytes"): what a child process stores, the test reads back.
TEST_DATA_KEY = "dGVzdC1kYXRhLWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM="
