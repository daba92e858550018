"""helixc built-in plugin: neural.

Registers the built-in specialists (lc-r, lc-t, hlxl write their notation;
lc-b writes the value in HLXL and the compiler encodes it; explain picks a
knowledge-base entry), the coordinator router, and the ``helixc train`` command.

Nothing heavy is imported here: ``helixc translate`` between notations never
imports torch. A third-party notation plugin adds its own specialist with::

    @hookimpl
    def register_specialists(register):
        from helixc.neural import Specialist
        register(Specialist("my-notation", route="my-notation", target="my-notation",
                            grammar="my-notation", adapter="/path/to/adapter"))
"""

from __future__ import annotations

from helixc.hookspecs import hookimpl


@hookimpl
def register_specialists(register):
    from helixc.neural import builtin_specialists

    for s in builtin_specialists():
        register(s)


@hookimpl
def register_routers(register):
    from helixc.neural import Router

    register(Router())


@hookimpl
def register_commands(cli):
    from helixc.neural.train import train_command

    cli.add_command(train_command("train", base=getattr(cli, "command_class", None)))
