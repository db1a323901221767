"""The flow format, no browser: model, step arguments, YAML with lines, loader, schema, templates, variables."""
