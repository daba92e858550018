"""Order rules for the neural pipeline's order guard (helixc.neural.order.OrderGuard).

Braces are maps or contracts, brackets arrays; a brace whose first key is ``C:`` is a contract
``{C:id,0=..,1=..}`` whose fields are keys written as digits followed by ``=``.
"""

ORDER_RULES = {
    "containers": "braces",  # { } maps and contracts, [ ] arrays
    "contract_head": "C",  # {C:id,...}: first key C followed by ':' makes the brace a contract
    "field_assign": "=",  # a contract field: digits then '='
    "slot_contract_after": "{C:",  # a slot right after this is a contract id (must be an integer)
}
