"""helixc built-in plugin: neural.

Registers the built-in specialists (one per registered notation: a notation with a slot
spelling is written directly, the binary one as a value the compiler encodes; explain picks a
knowledge-base entry; helixc.neural.builtin_specialists), the coordinator router, and the
``helixc train`` command.

Nothing heavy is imported here: ``helixc translate`` between notations never
imports torch. A third-party notation plugin adds its own specialist with::

    @hookimpl
    def register_specialists(register):
        from helixc.neural import Specialist
        register(Specialist("my-notation", route="my-notation", target="my-notation",
                            grammar="my-notation", adapter="/path/to/adapter"))
"""

from __future__ import annotations

import click

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
    @cli.command(name="train", context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                                 "help_option_names": []})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def train_cmd(args):
        """Train the tokenizer, base model and LoRA adapters (helixc train --help)."""
        import sys

        from helixc.neural.train import main

        rc = main(list(args))
        if rc:
            sys.exit(rc)
