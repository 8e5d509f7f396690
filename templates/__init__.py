"""The generator's templates (`package/`) and the runtime it copies into every package (`runtime/`).

Shipped in the wheel as `generator.templates` (see pyproject.toml) and found through importlib.resources, so an
installed tool reads its own copy, never a source tree."""
