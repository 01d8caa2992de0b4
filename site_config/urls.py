from django.contrib import admin
from django.urls import include, path
from markdownx.views import ImageUploadView

from blog.editor import PreviewView

# markdownx ships its views unprotected: they are routed here behind the admin login,
# at the paths settings.MARKDOWNX_*_PATH give the editor widget.
editor_urls = [
    path(
        "markdownify/", admin.site.admin_view(PreviewView.as_view()), name="markdownx_markdownify"
    ),
    path("upload/", admin.site.admin_view(ImageUploadView.as_view()), name="markdownx_upload"),
]

urlpatterns = [
    path("admin/markdownx/", include(editor_urls)),
    path("admin/", admin.site.urls),
    # The reader's site: /, /words/..., feeds, sitemap.xml, robots.txt (blog/urls.py).
    path("", include("blog.urls")),
]
