from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingtask",
            name="for_sweep",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
