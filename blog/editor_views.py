"""markdownx's preview and upload views, as the editor uses them (routed by blog.editor).

The preview renders with MARKDOWNX_MARKDOWNIFY_FUNCTION; a request without the text is a
400, not markdownx's 500. Uploads go through blog.uploads.ImageForm and are answered in
JSON whoever asks: markdownx answers other requests with a redirect or a template it lacks.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from markdownx.views import ImageUploadView, MarkdownifyView

from blog.uploads import ImageForm


class PreviewView(MarkdownifyView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "content" not in request.POST:
            return HttpResponseBadRequest("A preview needs the essay text in `content`.")
        return super().post(request, *args, **kwargs)


class UploadView(ImageUploadView):
    form_class = ImageForm
    http_method_names = ["post"]

    def form_valid(self, form: ImageForm) -> JsonResponse:
        return JsonResponse({"image_code": f"![]({form.save()})"})

    def form_invalid(self, form: ImageForm) -> JsonResponse:
        return JsonResponse(form.errors, status=400)


preview = PreviewView.as_view()
upload = UploadView.as_view()
