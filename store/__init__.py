"""The referral store: the domain core. Models, a small repository API and migrations.

It imports no framework: the action server, the bot and the command-line tools all use it.
"""
