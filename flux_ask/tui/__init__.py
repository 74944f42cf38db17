"""The chat: a Textual app over chat.Conversation. The only package that imports Textual."""

# textual-image asks the terminal for its cell size and graphics protocols when it is
# imported, which only works before Textual takes the terminal over: so, first.
import textual_image.widget  # noqa: F401
