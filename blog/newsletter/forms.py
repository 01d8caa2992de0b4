from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": "That address is too long for email (254 characters at most).",
        },
    )
    # The honeypot: hidden from people, filled in by the bots that fill in everything.
    website = forms.CharField(required=False, max_length=200)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        local, _, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"  # the domain is case-insensitive; the rest may not be

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
