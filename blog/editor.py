"""django-markdownx's views, made safe to route: staff only, bad input is a 400."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from markdownx.views import MarkdownifyView


class PreviewView(MarkdownifyView):
    """Render the editor's text with the site's renderer (MARKDOWNX_MARKDOWNIFY_FUNCTION)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "content" not in request.POST:
            return HttpResponseBadRequest("A preview needs the essay text in `content`.")
        return super().post(request, *args, **kwargs)
