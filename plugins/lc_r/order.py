"""Order rules for the neural pipeline's order guard (helixc.neural.order.OrderGuard).

The guard scans decoded text for containers: here a contract opens with its own glyph and
marks each field with another, so field indices are read right after the field glyph.
"""

ORDER_RULES = {
    "containers": "glyphs",  # contracts, arrays and maps each open and close with their own glyph
    "contract_open": "\U0001F70A",  # contract, followed by its id; fields are field_mark + index
    "field_mark": "\U0001F701",
    "array_open": "\U0001F703",
    "map_open": "\u25C7",
    "closers": ("\U0001F702", "\U0001F704", "\u25C6"),  # contract end, array end, map end
    "slot_contract_after": "\U0001F70A",  # a slot right after this is a contract id (must be an integer)
}
