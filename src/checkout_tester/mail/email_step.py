"""expect_email: the store's mail reached the shopper (order confirmation, support acknowledgement ...).

A step handler that lives with the mailbox it reads; `session` imports it, which registers the verb."""
from __future__ import annotations

from typing import Any

from checkout_tester.base.errors import CheckoutTesterError
from checkout_tester.mail.mailbox import Mailbox, extract
from checkout_tester.run.events import Attachment
from checkout_tester.run.steps.registry import StepContext, handler

NO_SINK = ("expect_email needs a mail sink: add `mail: {sink: smtp, port: 2525}` to the target config "
           "and point the store's test SMTP at it, or `mail: {sink: mailpit, url: http://127.0.0.1:8025}`")


@handler("expect_email")
def expect_email(ctx: StepContext, step: Any, args: Any) -> None:
    mailbox = getattr(ctx.runner, "mail", None)
    if not isinstance(mailbox, Mailbox):
        raise CheckoutTesterError(NO_SINK)
    timeout = args.timeout_ms(ctx.runner.timeouts.ms("expect"))
    wanted = f"an email to {args.to}"
    if args.subject is not None:
        wanted += f" with subject {args.subject!r}"
    if args.body_contains is not None:
        wanted += f" containing {args.body_contains!r}"
    ctx.expectation = f"{wanted} within {timeout / 1000:g}s"
    mail = mailbox.expect(args.to, args.subject, args.body_contains, timeout / 1000)
    redact = ctx.scope.redactor
    ctx.runner.emit(Attachment(name=f"email: {mail.subject}", mime="text/plain", body=redact(mail.render()).encode()))
    if args.save is not None:
        value = extract(mail, args.save.pattern)
        if value is None:
            raise AssertionError(f"pattern '{args.save.pattern}' not found in the email {mail.subject!r}")
        ctx.scope.values[args.save.var] = value
        ctx.runner.saved[args.save.var] = value
        ctx.notes.append(f"{args.save.var} = {redact(value)}")
