"""Topics in the admin: their own list (rename, merge by hand, delete), and the essay form's
topics field, an autocomplete that makes a new topic from what the writer types.

The field is Django's admin autocomplete (select2, static files only: nothing inline under
the CSP) with two changes. Its options' values are topic names, not ids, served by the
admin's own autocomplete view (AutocompleteJsonView.serialize_result): so select2's `tags`
mode, switched on by a data attribute for those who may add topics, can send a new name as
typed, and a name made of digits is never read as another topic's id. The names become
topics when the essay is saved (Topic.objects.for_names), whatever their case: typing
"Remote work" picks "remote work".
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse

from blog.models import Post, Topic, fold

ADD_PERMISSION = "blog.add_topic"


class Counted(TypedDict):
    essay_count: int  # the topic's essays (TopicAdmin.get_queryset)


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    CountedTopic = WithAnnotations[Topic, Counted]
    _EssayAdmin = admin.ModelAdmin[Any]  # what the mixin extends (the essay's admin)
else:
    _EssayAdmin = object


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "essays", "address"]
    search_fields = ["name"]
    fields = ["name", "address"]
    readonly_fields = ["address"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        # (A GROUP BY query leaves Meta.ordering out: order it again.)
        return super().get_queryset(request).annotate(essay_count=Count("posts")).order_by("key")

    @admin.display(description="essays", ordering="essay_count")
    def essays(self, topic: "CountedTopic") -> int:
        return topic.essay_count

    @admin.display(description="address")
    def address(self, topic: Topic) -> str:
        if topic.pk is None:
            return "Made from the name when saved."
        return f"{topic.get_absolute_url()} (it follows the name; old addresses redirect)"

    def get_urls(self) -> list[URLPattern]:
        names = self.admin_site.admin_view(TopicNamesView.as_view(admin_site=self.admin_site))
        return [path("names/", names, name="blog_topic_names"), *super().get_urls()]


class TopicNamesView(AutocompleteJsonView):
    """The admin's autocomplete answers, with each topic's name as its value."""

    def serialize_result(self, obj, to_field_name: str) -> dict[str, str]:
        return {"id": obj.name, "text": obj.name}


class TopicsWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete, by name, offering what is typed as a new topic when
    `can_create`."""

    def __init__(self, admin_site: admin.AdminSite, *, can_create: bool) -> None:
        super().__init__(Post._meta.get_field("topics"), admin_site)
        self.can_create = can_create

    def get_url(self) -> str:
        return reverse(f"{self.admin_site.name}:blog_topic_names")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        if self.can_create:
            attrs["data-tags"] = "true"
        return attrs

    def optgroups(self, name, value, attr=None):
        # The chosen names as they are (new ones included, after a refused save).
        options = [
            self.create_option(name, item, item, True, index) for index, item in enumerate(value)
        ]
        return [(None, options, 0)]


class TopicNamesField(forms.Field):
    """Topic names, cleaned to one spelling each (the first), checked by the model's rules."""

    def __init__(self, *, can_create: bool, **kwargs) -> None:
        self.can_create = can_create
        kwargs.setdefault("help_text", "Type to find a topic, or a new name to add one.")
        super().__init__(**kwargs)

    def prepare_value(self, value: Iterable[Topic | str] | None) -> list[str]:
        return [item.name if isinstance(item, Topic) else item for item in value or ()]

    def to_python(self, value: Iterable[str] | None) -> list[str]:
        names: dict[str, str] = {}
        for item in value or ():
            if name := " ".join(str(item).split()):
                names.setdefault(fold(name), name)
        return list(names.values())

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        name_field = Topic._meta.get_field("name")
        errors = []
        for name in value:
            try:
                name_field.clean(name, None)
            except forms.ValidationError as error:
                errors += [f"“{name[:40]}”: {message}" for message in error.messages]
        if not self.can_create:
            known = set(
                Topic.objects.filter(key__in=[fold(n) for n in value]).values_list("key", flat=True)
            )
            errors += [
                f"“{name[:40]}” is not a topic, and your account may not add topics: "
                "choose one from the list."
                for name in value
                if fold(name) not in known
            ]
        if errors:
            raise forms.ValidationError(errors)


class TopicsAdminMixin(_EssayAdmin):
    """The essay admin's side: the topics field, and the topics made when the essay is."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "topics":
            can_create = request.user.has_perm(ADD_PERMISSION)
            widget = TopicsWidget(self.admin_site, can_create=can_create)
            return TopicNamesField(
                widget=widget, can_create=can_create, required=False, label="Topics"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # Topics are made now, with the essay: a form refused for another field made none.
        if "topics" in form.cleaned_data:
            topics = Topic.objects.for_names(form.cleaned_data["topics"])
            form.cleaned_data["topics"] = list(topics.values())
        super().save_related(request, form, formsets, change)
