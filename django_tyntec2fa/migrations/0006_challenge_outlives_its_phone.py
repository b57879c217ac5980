# Removing a phone keeps its challenges as records: their device becomes empty
# instead of the rows being deleted with the phone (the admin could not remove a
# phone that ever received a code, since challenges are never deleted by hand).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tyntec2fa', '0005_drop_conversion_counter'),
    ]

    operations = [
        migrations.AlterField(
            model_name='challenge',
            name='device',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='challenges', to='tyntec2fa.phonedevice', verbose_name='device'),
        ),
    ]
