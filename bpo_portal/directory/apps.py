from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bpo_portal.directory"
    verbose_name = "Directory"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from bpo_portal.directory import facets, kinds  # noqa: F401  (declares the kinds)
        from bpo_portal.directory.models import (
            City,
            Industry,
            IndustryServiceLine,
            Provider,
            ProviderCity,
            ProviderIndustry,
            ProviderService,
            ServiceCategory,
            ServiceLine,
        )

        # The facet index's journal (directory/facets.py).
        for signal in (post_save, post_delete):
            signal.connect(facets.on_provider_saved, sender=Provider)
            for model in (ProviderService, ProviderCity, ProviderIndustry):
                signal.connect(facets.on_link_saved, sender=model)
            for model in (ServiceLine, ServiceCategory, City, Industry, IndustryServiceLine):
                signal.connect(facets.on_values_changed, sender=model)
        for model in (ProviderService, ProviderCity, ProviderIndustry):
            pre_save.connect(facets.before_link_saved, sender=model)
