"""Least role for every distribution endpoint, with URL parameters (read by the access matrix tests).
Staff pack and record hand-outs; coordinators plan, cancel and keep the recipes."""
EXPECTED = {
    "distributions.index": ("staff", {}),
    "distributions.plan": ("coordinator", {}),
    "distributions.detail": ("staff", {"distribution_id": 1}),
    "distributions.pack": ("staff", {"distribution_id": 1}),
    "distributions.change_planned": ("coordinator", {"distribution_id": 1}),
    "distributions.packing_list": ("staff", {"distribution_id": 1}),
    "distributions.handout": ("staff", {"distribution_id": 1}),
    "distributions.cancel": ("coordinator", {"distribution_id": 1}),
    "distributions.sufficiency_page": ("staff", {}),
    "distributions.forecast_page": ("staff", {}),
    "distributions.recipes": ("staff", {}),
    "distributions.recipe_new": ("coordinator", {}),
    "distributions.recipe_edit": ("coordinator", {"recipe_id": 1}),
}
