"""Glue a chapter's computed numbers for its prose in one call."""


def glue_all(numbers: dict) -> None:
    """Glue every ``{key: value}`` of ``numbers`` for ``{glue:text}`key:format``` roles of the prose,
    without displaying it (myst-nb's :func:`myst_nb.glue` with ``display=False``)."""
    from myst_nb import glue

    for key, value in numbers.items():
        glue(key, value, display=False)
