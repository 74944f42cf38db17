"""The conversation behind the chat, headless: what a question means after the one
before it, how its interpretation reads as chips, the slash commands. No Textual here,
so the same turns can be driven from tests or any other front end."""
