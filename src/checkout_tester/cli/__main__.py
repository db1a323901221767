"""`python -m checkout_tester.cli`: the command line."""
from __future__ import annotations

from checkout_tester.cli.main import main

raise SystemExit(main())
