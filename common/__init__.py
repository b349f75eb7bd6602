"""Code shared by the action server, the bot and the tools: settings and logging."""
