"""The rasa-sdk action server: `python -m rasa_sdk --actions actions`.

rasa-sdk imports every module of this package and registers every concrete `Action`
subclass, so only action modules and helpers without I/O at import time live here.
"""
