from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from blog.editor import editor_endpoint, preview
from blog.health import healthz
from blog.media import serve_media
from blog.uploads import rejected, upload_image

# markdownx ships its views unprotected: they are routed here behind the admin login,
# at the paths settings.MARKDOWNX_*_PATH give the editor widget.
editor_urls = [
    path("markdownify/", editor_endpoint(preview), name="markdownx_markdownify"),
    path("upload/", editor_endpoint(upload_image, denied=rejected), name="markdownx_upload"),
]

urlpatterns = [
    path(f"{settings.ADMIN_PATH}markdownx/", include(editor_urls)),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Uploaded images, in production too (WhiteNoise serves only static files).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
    # Readers subscribe by email: /subscribe/, /unsubscribe/<token>/ (blog/newsletter/urls.py).
    path("", include("blog.newsletter.urls")),
    # The reader's site: /, /words/..., feeds, sitemap.xml, robots.txt (blog/urls.py).
    path("", include("blog.urls")),
]

handler500 = "blog.health.server_error"
