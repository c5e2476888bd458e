"""The course's one palette for diagrams: a colour per role, and the line styles and hatch
that carry the same meaning without colour.

The colours are the Okabe-Ito set, which stays distinguishable under the common forms of
colour-blindness. Boxes are filled with a light tint of their role's colour (black text stays
readable on it) and outlined in the full colour; every box also carries a text label, and
gradients and padding differ by line style and hatch too, so a grey-scale printout reads the same.
"""

from __future__ import annotations

__all__ = ["COLOURS", "FILLS", "HATCH", "INK", "LINESTYLES", "MUTED", "ROLES", "colour", "fill"]

# Okabe & Ito (2008), "Color Universal Design".
_ORANGE, _SKY, _GREEN, _YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
_BLUE, _VERMILLION, _PURPLE, _GREY = "#0072B2", "#D55E00", "#CC79A7", "#7F7F7F"

#: role -> colour (edges, lines, text accents)
COLOURS: dict[str, str] = {
    "input": _GREEN,        # x_t, tokens, source words
    "hidden": _BLUE,        # h_t, s_t, encoder and decoder states
    "cell": _ORANGE,        # c_t, the LSTM's cell state
    "output": _PURPLE,      # y_t, logits, predictions, tags
    "gate": _YELLOW,        # sigmoid gates f, i, o, z, r
    "attention": _SKY,      # attention weights and context vectors
    "gradient": _VERMILLION,  # dL/dh and every backward path (also dashed)
    "padding": _GREY,       # padded or masked positions (also hatched)
}

ROLES: tuple[str, ...] = tuple(COLOURS)

# The fill is a tint: the role's colour mixed with white, so black text stays legible.
_TINT = {"input": 0.30, "hidden": 0.25, "cell": 0.35, "output": 0.35, "gate": 0.55,
         "attention": 0.35, "gradient": 0.25, "padding": 0.25}


def _mix_with_white(hex_colour: str, amount: float) -> str:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - amount * (255 - c)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


#: role -> light fill for boxes of that role
FILLS: dict[str, str] = {role: _mix_with_white(c, _TINT[role]) for role, c in COLOURS.items()}

#: meaning -> matplotlib line style; the backward pass never shares a style with the forward one
LINESTYLES: dict[str, object] = {
    "forward": "-",
    "gradient": (0, (5, 3)),   # dashed
    "pruned": (0, (1, 2)),     # dotted, for discarded beam hypotheses
}

HATCH = "///"     # padding and masked positions
INK = "#222222"   # text and forward arrows
MUTED = "#B0B0B0"  # pruned branches and context that is not the point of the picture


def _check_role(role: str) -> str:
    if role not in COLOURS:
        raise ValueError(f"unknown diagram role {role!r}; use one of {', '.join(ROLES)}")
    return role


def colour(role: str) -> str:
    """The full colour of ``role`` (one of :data:`ROLES`), for lines and outlines."""
    return COLOURS[_check_role(role)]


def fill(role: str) -> str:
    """The light fill of ``role`` (one of :data:`ROLES`), for box faces."""
    return FILLS[_check_role(role)]
