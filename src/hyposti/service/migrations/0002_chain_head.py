"""The audit chain's head row exists from the start, so the first writers lock it rather than
race to create it."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

GENESIS = "0" * 64


def create_head(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("service", "ChainHead").objects.get_or_create(
        pk=1, defaults={"seq": 0, "entry_hash": GENESIS}
    )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
