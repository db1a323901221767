"""Reproduce a reported failure: replay one flow variant with every piece of evidence, a BUG.md and bundle.json."""
