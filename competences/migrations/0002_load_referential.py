"""Load the Pix referential (annex 1 of the French seed) from the project's own copy."""

from django.db import migrations

from competences.referential import load_referential


def load(apps, schema_editor):
    load_referential(apps.get_model("competences", "Area"), apps.get_model("competences", "Competence"))


def unload(apps, schema_editor):
    apps.get_model("competences", "Competence").objects.all().delete()
    apps.get_model("competences", "Area").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("competences", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
