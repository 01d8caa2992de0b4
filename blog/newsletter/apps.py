from django.apps import AppConfig
from django.db.models.signals import post_save


class NewsletterConfig(AppConfig):
    name = "blog.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        from blog.newsletter.tasks import essay_saved

        # Essays know nothing of the newsletter: it listens. Imports write in bulk and
        # loaddata saves raw, so neither ever sends anything.
        post_save.connect(essay_saved, sender="blog.Post")
