"""Load the Pix referential (annex 1 of the French seed) from the project's own copy."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "competences.json"


def load(apps, schema_editor):
    Area = apps.get_model("competences", "Area")
    Competence = apps.get_model("competences", "Competence")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    areas = {}
    for a in data["areas"]:
        areas[a["code"]], _ = Area.objects.update_or_create(
            code=a["code"], defaults={"title_fr": a["title_fr"], "title_en": a["title_en"]}
        )
    for c in data["competences"]:
        Competence.objects.update_or_create(
            code=c["code"],
            defaults={
                "area": areas[c["area"]],
                "title_fr": c["title_fr"],
                "title_en": c["title_en"],
                "description_fr": c["description_fr"],
                "themes_fr": c["themes_fr"],
            },
        )


def unload(apps, schema_editor):
    apps.get_model("competences", "Competence").objects.all().delete()
    apps.get_model("competences", "Area").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("competences", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
