"""The demo's activities and places in Danish too (an organisation may name them in both
languages; Danish pages show these). ``--language da`` also writes the demo's free text in Danish."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.shifts.models import Activity, Place

#: English name → (Danish name, Danish briefing).
ACTIVITIES = {
    "Hotline": ("Hotline", "Overtag hotlinetelefonen fra den forrige frivillige på kontoret eller ved "
                "viderestilling. Registrér kun opkaldene som antal."),
    "Street outreach": ("Opsøgende arbejde", "Mød på kontoret 30 minutter før for at pakke tasken. Arbejd altid "
                        "to og to. Ingen billeder."),
    "Food pack distribution": ("Uddeling af fødevarepakker", "Del fødevarepakker ud på kontoret. Tæl de pakker, "
                               "der bliver delt ud; skriv aldrig navne."),
    "Packing food packs": ("Pakning af fødevarepakker", "Pak fødevarepakker efter det aktuelle pakkeindhold. Tjek "
                           "udløbsdatoerne."),
    "Communal cooking": ("Fællesspisning", "Lav mad og spis sammen med vores gæster. Indkøbslisten hænger på "
                         "køleskabet på kontoret."),
    "Prison visit": ("Fængselsbesøg", "Medbring billed-id. Telefoner bliver i skabet. Kom 20 minutter før til "
                     "sikkerhedstjekket."),
    "Office day": ("Kontordag", "Luk op, når det ringer på, og sortér post og donationer."),
    "Volunteer training": ("Oplæring af frivillige", "Introduktion for nye frivillige: sikkerhed, privatliv, og "
                           "hvordan vi hjælper."),
    "Clothing sorting": ("Sortering af tøj", "Sortér doneret tøj efter størrelse og årstid."),
}

PLACES = {
    "HopeNow office": "HopeNows kontor",
    "Red-light area, Vesterbro": "Prostitutionsmiljøet på Vesterbro",
    "St. Mary's Church": "Sankt Marias Kirke",
}

#: The demo's free text, by language.
CANCEL_REASON = {"en": "Sick with a fever.", "da": "Syg med feber."}


def name_in_danish(session) -> None:
    """Give the demo's activities and places their Danish names, where none is set yet."""
    for activity in session.scalars(sa.select(Activity).where(Activity.name_en.in_(list(ACTIVITIES)))):
        name_da, briefing_da = ACTIVITIES[activity.name_en]
        activity.name_da = activity.name_da or name_da
        activity.briefing_da = activity.briefing_da or briefing_da
    for place in session.scalars(sa.select(Place).where(Place.name_en.in_(list(PLACES)))):
        place.name_da = place.name_da or PLACES[place.name_en]
    session.flush()
