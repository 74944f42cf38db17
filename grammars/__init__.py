"""Query grammars, loaded with importlib.resources as flux_ask.grammars."""
