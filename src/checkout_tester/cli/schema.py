"""`checkout-tester schema`: write the flow and target-config JSON Schemas for editors."""
from __future__ import annotations

import sys

from checkout_tester.target.target_schema import write_schemas

HOW = ("editors (VS Code's YAML extension, JetBrains IDEs) use them from a first line such as\n"
       "  # yaml-language-server: $schema=../schemas/flow.schema.json\n"
       "(the path relative to the YAML file; target configs: target.schema.json)")


def write(folder: str) -> int:
    """Write both schemas into `folder` and say how to point an editor at them."""
    try:
        written = write_schemas(folder)
    except OSError as exc:
        print(f"cannot write the schemas into {folder}: {exc.strerror or exc}; give --out a writable folder",
              file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(HOW)
    return 0
