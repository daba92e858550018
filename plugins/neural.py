"""helixc built-in plugin: neural.

Registers the built-in specialists (one per registered notation: a notation with a slot
spelling is written directly, the binary one as a value the compiler encodes; explain picks a
knowledge-base entry; helixc.neural.builtin_specialists), the coordinator router, and the
``helixc train`` and ``helixc export vllm`` commands.

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

    import click

    @cli.group(name="export")
    def export_group():
        """Write the models in the layout another serving engine reads."""

    @export_group.command(name="vllm", cls=getattr(cli, "command_class", None) or click.Command)
    @click.argument("out", type=click.Path(file_okay=False))
    @click.option("--models", "models_dir", type=click.Path(file_okay=False),
                  help="helixc models directory to export  [default: $HELIXC_MODELS, else the shipped models]")
    @click.option("--force", is_flag=True, help="replace OUT when it exists and is not empty")
    def export_vllm_cmd(out, models_dir, force):
        """vLLM multi-LoRA serving: base model + tokenizer, one PEFT adapter per specialist and the
        coordinator, one Lark grammar (llguidance dialect) per adapter, request examples and the
        `vllm serve` command in OUT/README.md (docs/scale.md)."""
        from helixc.neural.export import export_vllm

        meta = export_vllm(out, models_dir, force=force)
        click.echo(f"wrote {out}: base, {len(meta['adapters'])} adapters ({', '.join(meta['adapters'])}), "
                   f"grammars, requests, README.md")
        click.echo(meta["serve"])
