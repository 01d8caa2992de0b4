from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class SiteConfig(AppConfig):
    """The site around the essays: its settings, page cache, health check, media, error
    pages."""

    name = "site_config"
    verbose_name = "Site"

    def ready(self) -> None:
        from blog.models import Post
        from blog.signals import essays_imported, essays_rerendered
        from site_config.cache import invalidate_pages_on_change

        # Any change to an essay or its topics may change every page (lists, neighbours,
        # feeds, topic pages), and so may a page (the navigation) or the site's settings;
        # imports and `rerender` write in bulk, without post_save, and say so with their
        # own signals.
        for model in ("blog.Post", "blog.Topic", "blog.Page", "site_config.SiteSettings"):
            for signal in (post_save, post_delete):
                signal.connect(invalidate_pages_on_change, sender=model)
        m2m_changed.connect(invalidate_pages_on_change, sender=Post.topics.through)
        essays_imported.connect(invalidate_pages_on_change)
        essays_rerendered.connect(invalidate_pages_on_change)
