"""The referential's data (annex 1 of the French seed), kept in ``data/competences.json``."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "competences.json"


def load_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_referential(area_model, competence_model) -> None:
    """Create or update the areas and competences; the model classes are passed in so that a
    migration can give its historical models."""
    data = load_data()
    areas = {}
    for a in data["areas"]:
        areas[a["code"]], _ = area_model.objects.update_or_create(
            code=a["code"], defaults={"title_fr": a["title_fr"], "title_en": a["title_en"]}
        )
    for c in data["competences"]:
        competence_model.objects.update_or_create(
            code=c["code"],
            defaults={
                "area": areas[c["area"]],
                "title_fr": c["title_fr"],
                "title_en": c["title_en"],
                "description_fr": c["description_fr"],
                "themes_fr": c["themes_fr"],
            },
        )
