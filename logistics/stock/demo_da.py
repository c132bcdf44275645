"""The demo's stock items, clothing groups and locations in Danish too (Danish pages show
these names), and the demo's free text in Danish for ``--language da``."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.stock.models import Item, Location, ProductGroup

ITEMS = {
    "Rice": "Ris", "Pasta": "Pasta", "Tinned tomatoes": "Hakkede tomater på dåse", "Tinned beans": "Bønner på dåse",
    "Cooking oil": "Madolie", "Palm oil": "Palmeolie", "Garri": "Garri", "Yam flour": "Yamsmel", "Oats": "Havregryn",
    "Sugar": "Sukker", "Salt": "Salt", "Tea bags": "Tebreve", "Instant coffee": "Pulverkaffe", "Milk": "Mælk",
    "Eggs": "Æg", "Chicken": "Kylling", "Frozen fish": "Frossen fisk", "Bread": "Brød", "Fruit juice": "Frugtjuice",
    "Biscuits": "Kiks", "Sandwich bags": "Madposer", "Soap": "Sæbe", "Shampoo": "Shampoo", "Toothbrush": "Tandbørste",
    "Toothpaste": "Tandpasta", "Sanitary pads": "Hygiejnebind", "Tampons": "Tamponer", "Condoms": "Kondomer",
    "Lubricant": "Glidecreme", "Deodorant": "Deodorant", "Hand sanitiser": "Hånddesinfektion",
    "Wet wipes": "Vådservietter", "Paracetamol 500 mg": "Paracetamol 500 mg", "Ibuprofen 200 mg": "Ibuprofen 200 mg",
    "Plasters": "Plastre", "Cough syrup": "Hostesaft", "Antihistamine tablets": "Antihistamintabletter",
    "Oral rehydration salts": "Væskeerstatning", "COVID-19 self-test": "COVID-19-selvtest",
    "Pregnancy test": "Graviditetstest", "HIV self-test": "Hiv-selvtest",
    "Influenza vaccine (by referral)": "Influenzavaccine (efter henvisning)",
    "Food pack (standard)": "Fødevarepakke (standard)", "Food pack (family)": "Fødevarepakke (familie)",
    "Travel-card top-up 100 DKK": "Optankning af rejsekort 100 kr.",
    "Supermarket voucher 200 DKK": "Supermarkedsgavekort 200 kr.", "Phone top-up card": "Taletidskort",
    "Umbrella": "Paraply", "Thermos flask": "Termoflaske",
    # clothing: the product groups and their sizes (items of the same name)
    "Winter jacket": "Vinterjakke", "Underwear": "Undertøj", "Leggings": "Leggings", "Socks": "Strømper",
}

LOCATIONS = {
    "Storeroom": "Lagerrum", "Kitchen": "Køkken", "Fridge": "Køleskab", "Outreach bag": "Taske til opsøgende arbejde",
    "Outreach bag 2": "Taske til opsøgende arbejde 2",
}

#: The demo's free text, by language.
DONORS = {"Private donor": "Privat donor", "Red Cross Copenhagen": "Røde Kors København"}
RECALL = {"en": "Recall notice from the supplier (lot IBU-4471)", "da": "Tilbagekaldt af leverandøren (parti IBU-4471)"}


def donor(name: str, language: str) -> str:
    return DONORS.get(name, name) if language == "da" else name


def name_in_danish(session) -> None:
    """Give the demo's items, clothing groups and locations their Danish names, where none is set yet."""
    for model, names in ((Item, ITEMS), (ProductGroup, ITEMS), (Location, LOCATIONS)):
        for row in session.scalars(sa.select(model).where(model.name_en.in_(list(names)), model.name_da.is_(None))):
            row.name_da = names[row.name_en]
    session.flush()
