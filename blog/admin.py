from django.contrib import admin
from django.db import models
from markdownx.widgets import AdminMarkdownxWidget

from blog.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "status"]
    list_filter = ["status"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.TextField: {"widget": AdminMarkdownxWidget}}
