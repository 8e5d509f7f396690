"""Specs -> a typed Python SDK: `generate` renders the files (pure), `write_tree` puts them in place atomically."""

from generator.codegen.options import CodegenError, GenerateOptions, load_options
from generator.codegen.render import format_python, generate, render_files, write_tree

__all__ = ["CodegenError", "GenerateOptions", "format_python", "generate", "load_options", "render_files", "write_tree"]
