"""The hooks a helixc plugin can implement.

Every hook receives a ``register`` callback, as in simonw/llm: a plugin calls
``register(thing)`` once per thing it contributes. Built-in notations, the
specialists and the router are plugins of exactly this kind.
"""

import pluggy

hookspec = pluggy.HookspecMarker("helixc")
hookimpl = pluggy.HookimplMarker("helixc")


@hookspec
def register_notations(register):
    """Register notations: ``register(notation)`` with a :class:`helixc.notation.Notation`."""


@hookspec
def register_specialists(register):
    """Register neural specialists: ``register(specialist)`` (see ``helixc.neural``)."""


@hookspec
def register_routers(register):
    """Register request routers: ``register(router)`` (see ``helixc.neural``)."""


@hookspec
def register_commands(cli):
    """Add click commands to the ``helixc`` command group."""
