"""Order rules for the neural pipeline's order guard (helixc.neural.order.OrderGuard).

Braces are maps or contracts, brackets arrays; a contract field is a key ``@N``; a slot standing
as a brace key must be an integer (a contract id) or a text (a map key).
"""

ORDER_RULES = {
    "containers": "braces",  # { } maps and contracts, [ ] arrays
    "field_key_prefix": "@",  # a contract field key: '@' + digits
    "brace_key_slot": True,  # a slot as a brace's key must be an integer id or a text
}
