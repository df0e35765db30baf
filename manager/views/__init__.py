"""View classes wrapping the Designer forms, their presenters and Qt item models."""
