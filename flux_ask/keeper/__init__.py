"""The keeper model: which photographs went into issues (match), what they share
(train), and how likely every other photograph is to join them (score)."""
