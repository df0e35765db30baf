"""Shot files, shot sources and the shot index."""
