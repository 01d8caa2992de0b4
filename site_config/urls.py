from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from markdownx.views import ImageUploadView

from blog.editor import PreviewView
from blog.health import healthz

# markdownx ships its views unprotected: they are routed here behind the admin login,
# at the paths settings.MARKDOWNX_*_PATH give the editor widget.
editor_urls = [
    path(
        "markdownify/", admin.site.admin_view(PreviewView.as_view()), name="markdownx_markdownify"
    ),
    path("upload/", admin.site.admin_view(ImageUploadView.as_view()), name="markdownx_upload"),
]

urlpatterns = [
    path(f"{settings.ADMIN_PATH}markdownx/", include(editor_urls)),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("words/", include("blog.urls")),
    path("", RedirectView.as_view(pattern_name="blog:post_list"), name="home"),
]

handler500 = "blog.health.server_error"
