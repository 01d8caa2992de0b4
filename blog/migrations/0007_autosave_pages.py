# An autosave is of an essay or a page: the post it belonged to becomes a content type and
# an object id. Existing copies are kept (nothing the writer typed is lost).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def to_content_types(apps, schema_editor):
    Autosave = apps.get_model("blog", "Autosave")
    if not Autosave.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    post_type, _ = ContentType.objects.get_or_create(app_label="blog", model="post")
    Autosave.objects.update(content_type=post_type, object_id=F("post_id"))


def to_posts(apps, schema_editor):
    Autosave = apps.get_model("blog", "Autosave")
    Autosave.objects.exclude(content_type__app_label="blog", content_type__model="post").delete()
    Autosave.objects.update(post_id=F("object_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0006_page'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='autosave',
            name='one_autosave_per_essay',
        ),
        migrations.RemoveConstraint(
            model_name='autosave',
            name='one_autosave_per_new_essay',
        ),
        migrations.AddField(
            model_name='autosave',
            name='content_type',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='autosave',
            name='object_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(to_content_types, to_posts),
        migrations.RemoveField(
            model_name='autosave',
            name='post',
        ),
        migrations.AlterField(
            model_name='autosave',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype'),
        ),
        migrations.AlterField(
            model_name='autosave',
            name='based_on',
            field=models.CharField(blank=True, help_text='The version the form was opened at.', max_length=64),
        ),
        migrations.AddConstraint(
            model_name='autosave',
            constraint=models.UniqueConstraint(fields=('content_type', 'object_id', 'user'), name='one_autosave_per_text'),
        ),
        migrations.AddConstraint(
            model_name='autosave',
            constraint=models.UniqueConstraint(condition=models.Q(('object_id', None)), fields=('content_type', 'user'), name='one_autosave_per_new_text'),
        ),
    ]
