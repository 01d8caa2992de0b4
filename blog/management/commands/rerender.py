from django.core.management.base import BaseCommand

from blog import rendering
from blog.models import Page, Post
from blog.signals import essays_rerendered
from site_config.models import SiteSettings


class Command(BaseCommand):
    help = (
        "Re-render the stored HTML of essays and pages rendered by another renderer version "
        f"(now {rendering.VERSION}), or of every one with --all; and the site's introduction "
        "and footer."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-render every essay.")
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Essays per query (default 200)."
        )

    def handle(self, *args, **options) -> None:
        essays, pages = self._rerender(Post, options), self._rerender(Page, options)
        if SiteSettings.objects.exists():
            SiteSettings.load().save()  # renders the introduction and footer
        self.stdout.write(
            f"Re-rendered {_count(essays, 'essay')} and {_count(pages, 'page')} "
            f"with renderer version {rendering.VERSION}."
        )

    def _rerender[M: (Post, Page)](self, model: type[M], options: dict) -> int:
        rows = model.objects.all()
        if not options["all"]:
            rows = rows.exclude(rendered_with=rendering.VERSION)
        pks = list(rows.order_by("pk").values_list("pk", flat=True))
        size = max(options["batch_size"], 1)
        for start in range(0, len(pks), size):
            batch = list(model.objects.filter(pk__in=pks[start : start + size]).only("body"))
            for row in batch:
                row.render()
            # bulk_update: no save(), so `updated` keeps meaning "the writer changed it".
            model.objects.bulk_update(batch, ["body_html", "rendered_with"])
        if pks:
            essays_rerendered.send(model, using=rows.db)
        return len(pks)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
