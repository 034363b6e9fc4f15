"""Use cases on a database Session: plain results, or one exception per refusal."""
