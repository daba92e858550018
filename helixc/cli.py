"""The ``helixc`` command line.

Commands other than ``translate`` and ``plugins`` come from plugins through
the ``register_commands(cli)`` hook (``corpus``, ``train``, ``eval``,
``serve``, ``bench``), so they load nothing heavy until they run.
"""

from __future__ import annotations

import json
import sys

import click

from .errors import E_INPUT, HelixError


class HelixCommand(click.Command):
    """Runs the command and turns HelixError into one line + caret excerpt, exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except HelixError as e:
            report_error(e)
            ctx.exit(2)


class HelixGroup(click.Group):
    command_class = HelixCommand


def report_error(e: HelixError) -> None:
    click.echo(f"helixc: error: {e}", err=True)
    excerpt = e.excerpt()
    if excerpt:
        click.echo(excerpt, err=True)


@click.group(cls=HelixGroup)
@click.version_option(package_name="helixc")
def cli():
    """helixc: translate between the HLX notations (HLXL, LC-T, LC-R, LC-B),
    and from English requests with the shipped models."""


def _read_input(file, text: str | None) -> tuple[str | None, bytes | None]:
    """(text, raw bytes): raw bytes are kept when the input is not UTF-8 (LC-B binary)."""
    if text is not None:
        if file is not None:
            raise click.UsageError("give either FILE or --text, not both")
        return text, None
    if file is None:
        if sys.stdin.isatty():
            raise click.UsageError("no input: give FILE, '-' for stdin, or --text TEXT")
        file = "-"
    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(file, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise HelixError(E_INPUT, f"cannot read {file}: {e.strerror}") from None
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        return None, data


@cli.command(name="translate")
@click.argument("file", required=False)
@click.option("to", "--to", "-t", required=True, help="Target notation (hlxl, lc-t, lc-r, lc-b and aliases), or 'auto' for English requests.")
@click.option("source", "--from", "-f", help="Source notation; detected when omitted.")
@click.option("text", "--text", help="Input given inline instead of FILE.")
@click.option("output", "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the result here.")
@click.option("binary", "--binary", is_flag=True, help="Write LC-B as raw bytes instead of hex text.")
@click.option("engine", "--engine", type=click.Choice(["auto", "neural", "compiler"]), default="auto", show_default=True,
              help="For English requests: the neural MoE, the compiler's rule-based reader, or neural verified by the compiler.")
@click.option("as_json", "--json", is_flag=True, help="Print a JSON object: route, target, output, engine, grammar_valid, verified, latency_ms.")
@click.option("models", "--models", type=click.Path(file_okay=False), envvar="HELIXC_MODELS", help="Model directory (default: the shipped models).")
def translate_cmd(file, to, source, text, output, binary, engine, as_json, models):
    """Translate FILE (or --text, or stdin) into notation --to.

    \b
    Examples:
      helixc translate --to lc-r --text '[1, 2, 3]'
      helixc translate --to lc-b --text '{14: {@0: 1}}'
      helixc translate --to hlxl data.lcb            # raw LC-B bytes in
      helixc translate --to auto --text 'Encode CRC32 checksum 0xDEADBEEF in LC-B'
    """
    from .engine import TranslateRequest, translate_notation
    from .plugins import get_notation

    src_text, raw = _read_input(file, text)
    req = TranslateRequest(text=src_text if src_text is not None else "", to=to, source=source, engine=engine)
    result = None
    if raw is not None and (src_text is None or _raw_for_binary_source(source, raw, src_text)):
        # Not UTF-8 (or --from a binary notation and not hex text): only a binary notation can read it.
        notation = get_notation(source or "lc-b")
        if not notation.binary:
            raise HelixError(E_INPUT, f"input is not UTF-8 text, and {notation.name} is not a binary notation")
        value = notation.decode(raw)
        result = _compiled(value, to, notation.name)
    elif to.strip().lower() != "auto" or source is not None:
        if source is None and raw is not None and _is_raw_lcb(raw):
            result = _compiled(get_notation("lc-b").decode(raw), to, "lc-b")
        else:
            result = translate_notation(req) if to.strip().lower() != "auto" else None
    if result is None:
        result = _english(req, models)
    _write_result(result, output, binary, as_json)


def _raw_for_binary_source(source, raw: bytes, text: str) -> bool:
    """``--from lc-b`` with raw bytes that are UTF-8 by chance: ``0A`` (true) reads as a newline.

    Raw LC-B starts with a tag byte (00..0D) and is never hex text: it has a non-hex
    character, or is whitespace bytes only (``0A``).
    """
    from .plugins import get_notation

    if source is None or not raw or raw[0] > 0x0D or not get_notation(source).binary:
        return False
    return not text.strip() or any(c not in _HEX_OR_SPACE for c in text)


_HEX_OR_SPACE = frozenset("0123456789abcdefABCDEF \t\r\n")


def _is_raw_lcb(raw: bytes) -> bool:
    """Raw LC-B bytes that happen to be valid UTF-8 (e.g. 0A) but are not printable text."""
    return any(b < 0x20 and b not in (0x09, 0x0A, 0x0D) for b in raw)


def _compiled(value, to, source_name):
    from .engine import TranslateResult
    from .plugins import get_notation

    target = get_notation(to)
    return TranslateResult(route="notation", target=target.name, output=target.emit(value), engine="compiler",
                           grammar_valid=True, verified=True, extra={"source": source_name})


def _english(req, models):
    """English request: route with the coordinator, write with a specialist (helixc.neural)."""
    try:
        from .neural.service import translate_english
    except ImportError as e:  # the [ml] extra is not installed
        raise HelixError(
            "E_MODEL",
            f"this input is not in any notation, so it is treated as an English request, which needs the ML extra "
            f"(pip install -e '.[ml]'): {e}",
        ) from None
    return translate_english(req, models_dir=models)


def _write_result(result, output, binary, as_json):
    from .plugins import get_notation

    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        if output is None:
            return
    target_is_binary = result.target != "explain" and get_notation(result.target).binary
    if output is not None:
        if target_is_binary and (binary or not output.endswith((".txt", ".hex"))):
            data = bytes.fromhex(result.output)
        else:
            data = (result.output + "\n").encode("utf-8")
        with open(output, "wb") as fh:
            fh.write(data)
        return
    if as_json:
        return
    if target_is_binary and binary:
        sys.stdout.buffer.write(bytes.fromhex(result.output))
        sys.stdout.buffer.flush()
        return
    click.echo(result.output)


@cli.command(name="plugins")
def plugins_cmd():
    """List loaded plugins as JSON: name, version, hooks, notations."""
    from .plugins import plugin_info

    click.echo(json.dumps(plugin_info(), indent=2, ensure_ascii=False))


@cli.command(name="notations")
def notations_cmd():
    """List notations with their aliases."""
    from .plugins import notations

    for name, n in sorted(notations().items()):
        click.echo(f"{name:8} {', '.join(n.aliases):32} {n.title}")


def _register_plugin_commands():
    from .plugins import load_plugins, pm

    load_plugins()
    pm.hook.register_commands(cli=cli)


_register_plugin_commands()


def main():  # pragma: no cover - console entry
    cli()
