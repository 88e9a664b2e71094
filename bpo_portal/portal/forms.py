import re

from django import forms

from bpo_portal.portal.models import Suggestion

TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")


def plain_text(value):
    """Refuse what a form never needs: NUL bytes and HTML."""
    if "\x00" in value:
        raise forms.ValidationError("The text holds a NUL character; please type it again.")
    if TAG.search(value):
        raise forms.ValidationError("Please write plain text: HTML tags are not accepted.")
    return value


class SuggestionForm(forms.ModelForm):
    # A field people never see and bots fill in.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)

    class Meta:
        model = Suggestion
        fields = ["wrong", "should_be", "source_url", "email"]
        widgets = {
            "wrong": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "should_be": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "source_url": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "wrong": "Which fact, and what is wrong with it. Up to 2,000 characters.",
            "should_be": "The correct fact, if you know it.",
            "source_url": "Where the correct fact is published (http or https), if you have it.",
            "email": "Only if you would like a reply. It is never shown on the site.",
        }

    def full_clean(self):
        super().full_clean()
        # A field with an error names it (beside its help text) for screen readers.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if bound.help_text:
                    ids.insert(0, f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
        if "source_url" in self.errors:
            # A URL field may not hold what is not a URL: the typed text stays, as text.
            self.fields["source_url"].widget.input_type = "text"
            self.fields["source_url"].widget.attrs["inputmode"] = "url"

    def clean_wrong(self):
        return plain_text(self.cleaned_data["wrong"])

    def clean_should_be(self):
        return plain_text(self.cleaned_data["should_be"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                "This form could not be sent: the hidden “Leave this empty” field was filled in."
            )
        return cleaned
