"""JSON Schema of a target config (config/*.yaml), from the `Target` model plus what pydantic cannot say."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from checkout_tester.flow import schema_defs
from checkout_tester.flow.detector_policy import DETECTORS
from checkout_tester.flow.schema import schema_text as flow_schema_text
from checkout_tester.target.config import Target

# Descriptions for hover in editors, where the model's fields carry none: (definition, key) -> text.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Target", "name"): "The target's name, shown in reports and the monitor's history",
    ("Target", "base_url"): "Where the store is: https://staging.my-shop.example, or demo for the embedded demo store",
    ("Target", "browser"): "The browser that runs the flows",
    ("Target", "timeouts"): "Default waits: step (actions), navigation (page loads), expect (assertions)",
    ("Target", "vars"): "Values flows read as {{ target.NAME }}",
    ("Target", "secrets"): "Secrets flows read as {{ secret.NAME }}, each from an environment variable; "
                           "never written to any report, log or trace",
    ("Target", "demo_store"): "Settings of the embedded demo store (base_url: demo)",
    ("Target", "detectors"): "The always-on detectors: fail, warn or ignore, with allow-lists (regex, any case)",
    ("Target", "mail"): "Where expect_email reads mail; unset: an SMTP sink for the demo store, no mail checks elsewhere",
    ("Target", "accessibility"): "axe-core audits of the pages flows visit",
    ("BrowserSettings", "headless"): "Run without a window (--headed overrides it)",
    ("BrowserSettings", "args"): "Extra Chromium command-line flags",
    ("BrowserSettings", "viewport"): "Window size, e.g. {width: 1280, height: 720}",
    ("BrowserSettings", "locale"): "Browser locale, e.g. en-US",
    ("Timeouts", "step"): "How long an action waits for its element, e.g. 10s",
    ("Timeouts", "navigation"): "How long a page load may take, e.g. 20s",
    ("Timeouts", "expect"): "How long an expect_* step waits for its condition, e.g. 10s",
    ("SecretSource", "env"): "The environment variable holding the secret",
    ("SecretSource", "default"): "The value when the variable is unset (test values of a test store only)",
    ("DemoStoreSettings", "faults"): "Fault switches of the demo store, e.g. [uppercase-email, \"slow:/cart:800\"]",
    ("DemoStoreSettings", "port"): "Port of the demo store; 0 picks a free one",
    ("MailSettings", "sink"): "smtp: the tool runs an SMTP sink; mailpit: read a Mailpit API",
    ("AccessibilitySettings", "audit"): "off, or every_page: run axe-core on each page a flow visits",
    ("AccessibilitySettings", "fail_on"): "Impacts that fail a flow",
    **{("DialogPolicy", kind): f"fail, warn or ignore a {kind} dialog no dialog step expected"
       for kind in ("alert", "confirm", "prompt", "beforeunload")},
}
BASE_URL_PATTERN = r"^(demo|https?://[^/?#\s]+([/?#].*)?)$"  # as config_file._http_url checks it


def target_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a target config file."""
    body = Target.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = body["$defs"]
    props: dict[str, Any] = body["properties"]
    del props["source"]  # set by the loader, not written in the file
    props["base_url"]["pattern"] = BASE_URL_PATTERN
    props["budgets"] = schema_defs.budgets_schema()
    props["testid_attribute"]["pattern"] = r"^[A-Za-z_:][-\w.:]*$"
    policy = defs["DetectorPolicy"]["properties"]["policy"]["enum"]
    for name in DETECTORS:  # `console_errors: warn` is short for {policy: warn}
        entry = defs["DetectorSettings"]["properties"][name]
        entry["anyOf"] = [{"enum": policy}, {"$ref": entry.pop("$ref")}]
    audit = defs["AccessibilitySettings"]["properties"]["audit"]
    del audit["type"]
    audit["enum"] = [*audit["enum"], False]  # YAML 1.1 reads a bare `off` as false; the loader takes it
    for (where, key), text in DESCRIPTIONS.items():
        (props if where == "Target" else defs[where]["properties"])[key].setdefault("description", text)
    for entry in props.values():
        entry.pop("title", None)  # "Base Url": the key itself says it better in completion lists
    del body["title"]
    return schema_defs.document(schema_defs.TARGET_ID, "checkout-tester target config",
                                "Where the store is, which browser, timeouts, secrets, detectors and budgets "
                                "(config/*.yaml, checkout-tester run --target FILE)", body)


def schema_texts() -> dict[str, str]:
    """File name -> text of every schema `checkout-tester schema` writes."""
    return {schema_defs.FLOW_FILE: flow_schema_text(), schema_defs.TARGET_FILE: schema_defs.text(target_json_schema())}


def write_schemas(folder: str | Path) -> list[Path]:
    """Write the flow and target-config schemas into `folder` (created if missing); the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in schema_texts().items():
        path = out / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
