"""The editor's image upload form: markdownx's, with the checks it lacks.

markdownx's ImageForm trusts the client: the content type it claims, the extension of its
file name, and GIF and SVG stored as sent. This one keeps markdownx's shape (an `image`
field, errors under it, save() storing under MARKDOWNX_MEDIA_PATH with a random name and
answering the URL) and decides everything from the bytes (blog/images.py): the format, the
stored extension, the size in memory; metadata is dropped and wide images scaled down.
"""

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from markdownx.forms import ImageForm as MarkdownxImageForm

from blog.images import ImageError, clean_image


class ImageForm(MarkdownxImageForm):
    image = forms.FileField(error_messages={"required": "No image was sent."})

    def clean_image(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["image"]
        assert upload.size is not None  # FileField refuses a file without one (empty)
        limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
        if upload.size > limit:
            raise forms.ValidationError(f"The image is larger than {filesizeformat(limit)}.")
        size = settings.MARKDOWNX_IMAGE_MAX_SIZE
        try:
            self.cleaned_image = clean_image(
                upload,
                max_width=size["size"][0],
                quality=size["quality"],
                max_memory=settings.BLOG_IMAGE_MAX_MEMORY,
            )
        except ImageError as error:
            raise forms.ValidationError(str(error)) from error
        return upload

    def clean(self) -> dict:
        # Not markdownx's: it checks the content type the client claims.
        return self.cleaned_data

    def save(self, commit: bool = True) -> str:
        """Store the cleaned image under a random name; its URL."""
        data, extension = self.cleaned_image
        return self._save(ContentFile(data), f"image.{extension}", commit)
