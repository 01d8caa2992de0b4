from django.core.management.base import BaseCommand

from blog import rendering
from blog.models import Post
from blog.signals import essays_rerendered


class Command(BaseCommand):
    help = (
        "Re-render the stored HTML of essays rendered by another renderer version "
        f"(now {rendering.VERSION}), or of every essay with --all."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-render every essay.")
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Essays per query (default 200)."
        )

    def handle(self, *args, **options) -> None:
        posts = Post.objects.all()
        if not options["all"]:
            posts = posts.exclude(rendered_with=rendering.VERSION)
        pks = list(posts.order_by("pk").values_list("pk", flat=True))
        size = max(options["batch_size"], 1)
        for start in range(0, len(pks), size):
            batch = list(Post.objects.filter(pk__in=pks[start : start + size]).only("body"))
            for post in batch:
                post.render()
            # bulk_update: no save(), so `updated` keeps meaning "the writer changed it".
            Post.objects.bulk_update(batch, ["body_html", "rendered_with"])
        if pks:
            essays_rerendered.send(Post, using=posts.db)
        self.stdout.write(
            f"Re-rendered {len(pks)} essay{'' if len(pks) == 1 else 's'} "
            f"with renderer version {rendering.VERSION}."
        )
