"""The archive home, opened once: its catalog connection, the text encoder, the
versioned vector matrix and the keeper scorer, each loaded lazily, once."""
