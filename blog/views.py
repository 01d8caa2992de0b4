"""Public pages. Every query goes through Post.objects.published()."""

from django.views.generic import DetailView, ListView

from blog.models import Post


class PublishedMixin:
    """The one queryset readers see."""

    model = Post

    def get_queryset(self):
        return Post.objects.published()


class PostListView(PublishedMixin, ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"


class PostDetailView(PublishedMixin, DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"
