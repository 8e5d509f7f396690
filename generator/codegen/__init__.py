"""Specs -> a typed Python SDK: `generate` renders the files (pure), `write_tree` puts them in place atomically."""

from generator.codegen.options import CodegenError, GenerateOptions, load_options
from generator.codegen.render import generate, write_tree

__all__ = ["CodegenError", "GenerateOptions", "generate", "load_options", "write_tree"]
