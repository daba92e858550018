"""The ``helixc`` command line.

Commands other than ``translate`` and ``plugins`` come from plugins through
the ``register_commands(cli)`` hook (``corpus``, ``train``, ``eval``,
``serve``, ``bench``), so they load nothing heavy until they run.
"""

from __future__ import annotations

import json
import sys

import click

from . import limits
from .errors import E_INPUT, E_INPUT_TOO_LARGE, HelixError


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
    """helixc: translate between the HLX notations (each a plugin: `helixc notations`
    lists them), and from English requests with the shipped models."""


# Input larger than this is refused before it is parsed (``--max-input``); see README, "Limits on input".
DEFAULT_MAX_INPUT = limits.MAX_INPUT_BYTES
EXIT_NOT_SURE = 3


def _read_input(file, text: str | None, max_input: int) -> tuple[str, bytes | None]:
    """(text, raw bytes): ``raw`` is kept for FILE/stdin input (a binary notation may be raw bytes); ``text`` is
    its UTF-8 reading, or "" when it is not UTF-8."""
    if text is not None:
        if file is not None:
            raise click.UsageError("give either FILE or --text, not both")
        if len(text) > max_input or len(text.encode("utf-8", "surrogatepass")) > max_input:
            raise HelixError(E_INPUT_TOO_LARGE, f"input is {len(text.encode('utf-8', 'surrogatepass')):,} bytes "
                                                f"(UTF-8); the limit is {max_input:,} (--max-input)")
        return text, None
    if file is None:
        if sys.stdin.isatty():
            raise click.UsageError("no input: give FILE, '-' for stdin, or --text TEXT")
        file = "-"
    try:
        if file == "-":
            data = sys.stdin.buffer.read(max_input + 1)
        else:
            with open(file, "rb") as fh:
                data = fh.read(max_input + 1)
    except OSError as e:
        raise HelixError(E_INPUT, f"cannot read {'stdin' if file == '-' else file}: {e.strerror or e}") from e
    except MemoryError as e:
        raise HelixError(E_INPUT_TOO_LARGE, f"not enough memory to read {file}; lower --max-input") from e
    if len(data) > max_input:
        raise HelixError(E_INPUT_TOO_LARGE, f"input is larger than the limit of {max_input:,} bytes (--max-input)")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        return "", data


@cli.command(name="translate")
@click.argument("file", required=False)
@click.option("to", "--to", "-t", required=True, help="Target notation (a name or alias from `helixc notations`), or 'auto' for English requests.")
@click.option("source", "--from", "-f", help="Source notation; detected when omitted.")
@click.option("text", "--text", help="Input given inline instead of FILE.")
@click.option("output", "--output", "-o", type=click.Path(dir_okay=False), help="Write the result here (atomically: the old file stays whole on any error).")
@click.option("binary", "--binary", is_flag=True, help="Write a binary notation as raw bytes instead of hex text.")
@click.option("engine", "--engine", type=click.Choice(["auto", "neural", "compiler"]), default="auto", show_default=True,
              help="For English requests: the neural MoE, the compiler's rule-based reader, or neural verified by the compiler.")
@click.option("as_json", "--json", is_flag=True, help="Print a JSON object: route, target, output, engine, grammar_valid, verified, confident, reason, latency_ms.")
@click.option("best_effort", "--best-effort", is_flag=True,
              help="For English requests: print the best reading and exit 0 even when helixc is not sure of it.")
@click.option("max_input", "--max-input", type=click.IntRange(min=1), default=DEFAULT_MAX_INPUT, show_default=True,
              help="Refuse input larger than this many bytes.")
@click.option("models", "--models", type=click.Path(file_okay=False), envvar="HELIXC_MODELS", help="Model directory (default: the shipped models).")
def translate_cmd(file, to, source, text, output, binary, engine, as_json, best_effort, max_input, models):
    """Translate FILE (or --text, or stdin) into notation --to.

    \b
    Exit status: 0 an answer; 2 bad input (one line with the error code and position);
    3 an English request helixc is not sure it understood (`helixc: not sure: REASON` on stderr,
    the best reading on stdout; --best-effort exits 0 instead).

    \b
    Examples (NAME: a notation from `helixc notations`; README.md has one for each built-in):
      helixc translate --to NAME --text '[1, 2, 3]'
      helixc translate --to NAME data.bin            # raw bytes of a binary notation in
      helixc translate --to auto --text 'Encode CRC32 checksum 0xDEADBEEF as bytes'
    """
    from .engine import TranslateRequest, translate

    src_text, raw = _read_input(file, text, max_input)
    req = TranslateRequest(text=src_text, to=to, source=source, engine=engine)
    with limits.max_input(max_input):  # the same limit inside every parser the input reaches
        result = translate(req, raw=raw, models_dir=models)
    # An answer helixc is not sure of never lands in -o FILE (a script would take it for a result):
    # the best reading goes to stdout for a person to look at, unless --best-effort asks for it.
    sure = result.confident or best_effort
    _write_result(result, output if sure else None, binary, as_json)
    if not result.confident:
        click.echo(f"helixc: not sure: {result.reason}" + ("" if as_json else f"; best reading above ({result.target})"),
                   err=True)
        if not best_effort:
            sys.exit(EXIT_NOT_SURE)


def _write_result(result, output, binary, as_json):
    from .plugins import get_notation

    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        if output is None:
            return
    target_is_binary = result.target != "explain" and result.route != "" and _is_binary(result.target, get_notation)
    if output is not None:
        if target_is_binary and (binary or not output.endswith((".txt", ".hex"))):
            data = bytes.fromhex(result.output)
        else:
            data = (result.output + "\n").encode("utf-8")
        write_atomic(output, data)
        return
    if as_json:
        return
    if target_is_binary and binary:
        sys.stdout.buffer.write(bytes.fromhex(result.output))
        sys.stdout.buffer.flush()
        return
    click.echo(result.output)


def _is_binary(name, get_notation) -> bool:
    try:
        return get_notation(name).binary
    except HelixError:
        return False


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename, so a
    full disk, a read-only directory or a file-size limit leaves the old file whole; any failure is
    one HelixError(E_OUTPUT) line."""
    import os
    import signal
    import tempfile

    from .errors import E_OUTPUT

    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    # Past `ulimit -f` the kernel sends SIGXFSZ, which kills the process before write() can fail.
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN) if hasattr(signal, "SIGXFSZ") else None
    try:
        if os.path.isdir(path):
            raise OSError(21, "is a directory")
        if path in ("/dev/stdout", "/dev/full", "/dev/null") or (os.path.exists(path) and not os.path.isfile(path)):
            with open(path, "wb") as fh:  # a device: no rename possible, write straight through
                fh.write(data)
                fh.flush()
            return
        fd, tmp = tempfile.mkstemp(prefix=".helixc-", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise HelixError(E_OUTPUT, f"cannot write {path}: {e.strerror or e}") from e
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if old is not None:
            signal.signal(signal.SIGXFSZ, old)


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

    try:
        load_plugins()
    except HelixError:
        return  # not at import time: the command that runs meets the same error (one line, exit 2)
    pm.hook.register_commands(cli=cli)


_register_plugin_commands()


def main():  # pragma: no cover - console entry
    cli()
