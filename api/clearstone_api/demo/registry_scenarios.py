"""Test vectors for the incident registry and its context layers: one per context type and one
per newly covered country, each a variation of the standard rough-to-retail chain.

The cases are plain data, so :mod:`clearstone_api.demo.scenarios` can turn them into
scenarios without an import cycle: ``chain`` holds the arguments of ``rough_to_retail`` and
``attestation`` an optional attestation added to the record (``subject`` ``site`` or ``miner``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["REGISTRY_CASES", "RegistryCase"]


@dataclass(frozen=True)
class RegistryCase:
    name: str
    description: str
    certificate: str
    chain: dict[str, Any]
    expected_kp: str
    expected_csc: str
    attestation: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)


def _asm(
    country: str,
    admin1: str | None,
    admin2: str | None,
    site: str,
    mined: dt.date,
    registry_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {"country": country, "admin1": admin1, "admin2": admin2, "site_name": site,
            "site_registry_id": registry_id, "mined": mined, "scale": "asm",
            "operator": "Artisanal cooperative", **extra}  # fmt: skip


def _mine(
    country: str,
    admin1: str | None,
    admin2: str | None,
    site: str,
    mined: dt.date,
    registry_id: str | None = None,
    operator: str = "Mining company",
    **extra: Any,
) -> dict[str, Any]:
    return {"country": country, "admin1": admin1, "admin2": admin2, "site_name": site,
            "site_registry_id": registry_id, "mined": mined, "operator": operator,
            **extra}  # fmt: skip


_AUDIT = {"scheme": "audit_report", "level": "company", "subject": "miner",
          "issuer": "Independent auditor", "valid_from": "2022-01-01",
          "valid_to": "2025-12-31"}  # fmt: skip
_MDS = {"scheme": "maendeleo", "level": "site", "subject": "site",
        "issuer": "Maendeleo Diamond Standards certifier", "valid_from": "2018-06-01",
        "valid_to": "2021-06-01"}  # fmt: skip

REGISTRY_CASES: list[RegistryCase] = [
    # --- context types -------------------------------------------------------------------
    RegistryCase("kasai-2017-artisanal", "Artisanal goods from Tshikapa (Kasaï, DR Congo), May "
                 "2017, during the Kasaï conflict: an incident in the area and a UN sanctions "
                 "regime make it an OECD Annex II red-flag location", "VEC-CD-KASAI-2017",
                 _asm("CD", "Kasaï", "Tshikapa", "Tshikapa artisanal workings",
                      dt.date(2017, 5, 2)), "pass", "elevated_risk", tags=["un_sanctions"]),
    RegistryCase("kasai-2023-artisanal", "Artisanal goods from Kasaï in 2023: the province is on "
                 "the EU CAHRA list (high-risk)", "VEC-CD-KASAI-2023",
                 _asm("CD", "Kasaï", "Tshikapa", "Tshikapa artisanal workings",
                      dt.date(2023, 3, 1)), "pass", "elevated_risk", tags=["eu_cahra"]),
    RegistryCase("marange-2023", "Marange goods in 2023: Zimbabwe is on the EU CAHRA list as a "
                 "whole country", "VEC-ZW-MARANGE-2023",
                 _mine("ZW", "Manicaland", "Marange", "Chiadzwa diamond fields",
                       dt.date(2023, 3, 1), "ZW-MARANGE", "Marange concession holder"),
                 "pass", "elevated_risk", tags=["eu_cahra"]),
    RegistryCase("marange-2023-audited", "The same chain with an independent due-diligence audit "
                 "of the miner: the CAHRA listing is mitigated", "VEC-ZW-MARANGE-2023-AUDITED",
                 _mine("ZW", "Manicaland", "Marange", "Chiadzwa diamond fields",
                       dt.date(2023, 3, 1), "ZW-MARANGE", "Marange concession holder"),
                 "pass", "no_known_red_flags", attestation=_AUDIT, tags=["mitigated"]),
    RegistryCase("berberati-2019-mds", "Artisanal goods from Berbérati (CAR) in 2019 from a site "
                 "certified to the Maendeleo Diamond Standards: the red-flag location is "
                 "mitigated by an on-the-ground, site-level standard; the registry holds no "
                 "site-level data for Berbérati, so the answer is country context only",
                 "VEC-CF-BERBERATI-2019-MDS",
                 _asm("CF", "Mambéré-Kadéï", "Berbérati", "Berbérati alluvial workings",
                      dt.date(2019, 4, 2), participant="CF", supervised_export=True),
                 "pass", "country_context_only", attestation=_MDS, tags=["mitigated"]),
    RegistryCase("canada-2023", "A Canadian mine in 2023: the registry holds no site-level data, "
                 "so the answer is country context only", "VEC-CA-2023",
                 _mine("CA", "Northwest Territories", None, "Diavik mine", dt.date(2023, 3, 1)),
                 "pass", "country_context_only", tags=["coverage"]),
    RegistryCase("dubai-2015-transit", "Botswana goods re-exported through Dubai in December "
                 "2015, when a parcel identified as embargoed CAR goods left Dubai for Antwerp",
                 "VEC-AE-TRANSIT-2015",
                 _mine("BW", "Southern", "Jwaneng", "Jwaneng mine", dt.date(2015, 11, 2),
                       "BW-JWANENG", "Debswana Diamond Company", hub="AE",
                       hub_participant="AE"), "pass", "elevated_risk", tags=["transit"]),
    # --- newly covered countries ---------------------------------------------------------
    RegistryCase("roosevelt-2004", "Artisanal goods from the Cinta Larga Roosevelt reserve "
                 "(Rondônia, Brazil), March 2004: 29 prospectors were killed there in April",
                 "VEC-BR-ROOSEVELT-2004",
                 _asm("BR", "Rondônia", "Espigão d'Oeste", "Roosevelt reserve",
                      dt.date(2004, 3, 1)), "pass", "red_flag"),
    RegistryCase("bolivar-2019", "Artisanal goods from Bolívar state (Venezuela), 2019, in the "
                 "Orinoco Mining Arc period", "VEC-VE-BOLIVAR-2019",
                 _asm("VE", "Bolívar", None, "Guaniamo workings", dt.date(2019, 5, 1)),
                 "pass", "elevated_risk"),
    RegistryCase("ghaghoo-2015", "Ghaghoo mine (Central Kalahari, Botswana), 2015: the CKGR "
                 "relocations ended in 2011 and their diamond link is contested, so they are "
                 "context only", "VEC-BW-GHAGHOO-2015",
                 _mine("BW", "Ghanzi", None, "Ghaghoo mine", dt.date(2015, 3, 1), "BW-GHAGHOO",
                       "Gem Diamonds Botswana"), "pass", "no_known_red_flags"),
    RegistryCase("mobilong-2015", "Mobilong (East, Cameroon), 2015, while royalties went unpaid "
                 "and the deposit's size was in question", "VEC-CM-MOBILONG-2015",
                 _mine("CM", "East", "Boumba-et-Ngoko", "Mobilong", dt.date(2015, 3, 1),
                       "CM-MOBILONG", "C&K Mining"), "pass", "red_flag"),
    RegistryCase("akwatia-2019", "Akwatia (Eastern, Ghana), 2019, under allegations of a "
                 "sublet concession", "VEC-GH-AKWATIA-2019",
                 _mine("GH", "Eastern", "Kwaebibirem", "Akwatia concession", dt.date(2019, 3, 1),
                       "GH-AKWATIA", "Ghana Consolidated Diamonds"), "pass", "elevated_risk"),
    RegistryCase("guinea-2012", "Guinean alluvial goods, 2012: the only record is countrywide "
                 "(certificates used for embargoed Ivorian goods)", "VEC-GN-2012",
                 _asm("GN", "Kankan", None, "Banankoro workings", dt.date(2012, 3, 1)),
                 "pass", "country_context_only"),
    RegistryCase("kao-2018", "Kao mine (Butha-Buthe, Lesotho), February 2018, when police shot "
                 "protesting villagers", "VEC-LS-KAO-2018",
                 _mine("LS", "Butha-Buthe", None, "Kao mine", dt.date(2018, 2, 1), "LS-KAO",
                       "Storm Mountain Diamonds"), "pass", "red_flag"),
    RegistryCase("lofa-2002", "Goods from Lofa (Liberia), 2002, on the RUF route, under the UN "
                 "import ban", "VEC-LR-LOFA-2002",
                 _asm("LR", "Lofa", "Foya", "Foya workings", dt.date(2002, 3, 1)),
                 "fail", "elevated_risk"),
    RegistryCase("oranjemund-2008", "Namdeb Mining Area No. 1 (Namibia), 2008: a 2006 theft "
                 "syndicate is context only", "VEC-NA-2008",
                 _mine("NA", "ǁKaras", "Oranjemund", "Mining Area No. 1", dt.date(2008, 3, 1),
                       "NA-MA1", "Namdeb"), "pass", "no_known_red_flags"),
    RegistryCase("jagersfontein-2022", "Jagersfontein tailings (Free State, South Africa), "
                 "September 2022, when the dam collapsed", "VEC-ZA-JAGERSFONTEIN-2022",
                 _mine("ZA", "Free State", None, "Jagersfontein tailings", dt.date(2022, 9, 1),
                       "ZA-JAGERSFONTEIN", "Jagersfontein Developments"), "pass", "red_flag"),
    RegistryCase("panna-2019", "Majhgawan mine (Panna, India), 2019, during the clearance "
                 "dispute over the tiger reserve: a habitat-risk record, so elevated, not a red "
                 "flag", "VEC-IN-PANNA-2019",
                 _mine("IN", "Madhya Pradesh", "Panna", "Majhgawan mine", dt.date(2019, 3, 1),
                       "IN-MAJHGAWAN", "NMDC"), "pass", "elevated_risk"),
]  # fmt: skip
