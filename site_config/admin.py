"""The site's settings in the admin: one object, edited, never added or deleted."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from site_config.models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "author", "description", "intro"]}),
        ("Every page", {"fields": ["links", "footer", "notes"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The list of one object is that object's form (saved from the environment the
        first time)."""
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # Django's 403
        site = SiteSettings.ensure()
        return HttpResponseRedirect(
            reverse("admin:site_config_sitesettings_change", args=[site.pk])
        )
