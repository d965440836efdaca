"""`peer-support`: the operator command line (start everything, dead letters, outbox, tokens, console
accounts, referral CSV import)."""

from __future__ import annotations

import typer

from peer_support_cli.commands import dead_letters, events, mounted, outbox, replay, subscribers, tokens
from peer_support_cli.commands.up import up_command
from peer_support_cli.demo.command import demo_command

app = typer.Typer(
    help="Operate the peer support platform: run it locally, inspect and replay events, issue tokens.",
    no_args_is_help=True,
)
app.command("up")(up_command)
app.command("demo")(demo_command)
app.add_typer(dead_letters.app, name="dead-letters")
app.add_typer(outbox.app, name="outbox")
app.add_typer(tokens.app, name="token")
app.add_typer(events.app, name="events")
app.add_typer(replay.app, name="replay")
app.add_typer(subscribers.app, name="subscribers")
mounted.mount(app)  # account (web console accounts), referrals (CSV import)

if __name__ == "__main__":
    app()
