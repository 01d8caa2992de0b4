from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from blog.admin import view_on_site
from blog.editor import editor_endpoint, html_notice, json_notice
from site_config.health import healthz
from site_config.media import serve_media

# markdownx ships its views unprotected: they are routed here behind the admin login, at the
# paths settings.MARKDOWNX_*_PATH give the editor widget.
editor_urls = [
    path(
        "markdownify/",
        editor_endpoint("blog.editor_views.preview", html_notice),
        name="markdownx_markdownify",
    ),
    path(
        "upload/",
        editor_endpoint("blog.editor_views.upload", json_notice),
        name="markdownx_upload",
    ),
]

urlpatterns = [
    path(f"{settings.ADMIN_PATH}markdownx/", include(editor_urls)),
    # The admin's "View on site" redirect, for those who may view what it leads to.
    path(
        f"{settings.ADMIN_PATH}r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Uploaded images, in production too (WhiteNoise serves only static files).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    # Readers subscribe by email: /subscribe/, /unsubscribe/<token>/ (blog/newsletter/urls.py).
    path("", include("blog.newsletter.urls")),
    # The reader's site: /, /words/..., feeds, sitemap.xml, robots.txt (blog/urls.py).
    path("", include("blog.urls")),
]

handler500 = "site_config.health.server_error"
