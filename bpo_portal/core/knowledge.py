"""Load the knowledge base in fixtures/knowledge.yaml into the database.

Rows are found by natural key (slug, or parent + name). A row that exists is left exactly as
it is, so a curator's edit always wins; a row that is missing is created, unless the ledger
shows it was loaded before, which means a curator deleted it on purpose.
"""

from collections import Counter
from decimal import Decimal

import yaml
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from bpo_portal.core.models import LoadedRecord
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Organisation,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
    ServiceTask,
)
from bpo_portal.sector.models import (
    Advantage,
    Challenge,
    Disagreement,
    DisagreementSide,
    Incentive,
    Metric,
    Solution,
    Statistic,
)
from bpo_portal.sources.models import Citation, Source


def read_knowledge(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class KnowledgeLoader:
    def __init__(self, data):
        self.data = data
        self.ledger = set(LoadedRecord.objects.values_list("key", flat=True))
        self.new_keys = []
        self.created = Counter()
        self.sources = {}

    def ensure(self, model, key, lookup, defaults=None):
        """Return the row for `lookup`, creating it unless a curator deleted it."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            if key in self.ledger:
                return None
            obj = model(**lookup, **(defaults or {}))
            obj.full_clean()
            obj.save()
            self.created[model._meta.verbose_name_plural] += 1
        if key not in self.ledger:
            self.ledger.add(key)
            self.new_keys.append(key)
        return obj

    def cite(self, obj, key, citations):
        if obj is None:
            return
        content_type = ContentType.objects.get_for_model(obj)
        field_names = {f.name for f in obj._meta.get_fields()}
        for entry in citations:
            source_slug, section, note, *rest = entry
            field = rest[0] if rest else ""
            if len(rest) > 1 or (field and field not in field_names):
                raise ValueError(f"{key}: malformed citation {entry!r} (quote notes with commas)")
            if self.sources[source_slug] is None:
                continue
            self.ensure(
                Citation,
                f"citation:{key}|{source_slug}|{section}|{field}",
                {
                    "content_type": content_type,
                    "object_id": obj.pk,
                    "source": self.sources[source_slug],
                    "section": section,
                    "field": field,
                },
                {"note": note},
            )

    def entity(self, model, prefix, item, fields, **extra):
        key = f"{prefix}:{item['slug']}"
        defaults = {name: item[name] for name in fields if name in item}
        defaults.update(extra)
        obj = self.ensure(model, key, {"slug": item["slug"]}, defaults)
        self.cite(obj, key, item.get("cite", []))
        return obj

    @transaction.atomic
    def load(self):
        data = self.data
        for item in data["sources"]:
            fields = ("title", "title_is_ours", "summary", "file_name", "headings")
            self.sources[item["slug"]] = self.ensure(
                Source,
                f"source:{item['slug']}",
                {"slug": item["slug"]},
                {name: item[name] for name in fields},
            )

        orgs = {
            item["slug"]: self.entity(
                Organisation, "organisation", item, ("name", "abbreviation", "kind", "description")
            )
            for item in data["organisations"]
        }
        categories = {
            item["slug"]: self.entity(
                ServiceCategory, "category", item, ("name", "description", "position")
            )
            for item in data["categories"]
        }
        lines = {}
        for item in data["service_lines"]:
            line = self.entity(
                ServiceLine,
                "service-line",
                item,
                ("name", "description", "is_emerging"),
                category=categories[item["category"]],
            )
            lines[item["slug"]] = line
            if line is None:
                continue
            for task in item.get("tasks", []):
                key = f"task:{item['slug']}|{task['name']}"
                obj = self.ensure(ServiceTask, key, {"service_line": line, "name": task["name"]})
                self.cite(obj, key, task["cite"])
            for alt in item.get("alternative_groupings", []):
                key = f"grouping:{item['slug']}|{alt['category']}"
                obj = self.ensure(
                    AlternativeGrouping,
                    key,
                    {"service_line": line, "category": categories[alt["category"]]},
                    {"note": alt["note"]},
                )
                self.cite(obj, key, alt["cite"])

        cities = {
            item["slug"]: self.entity(
                City,
                "city",
                item,
                ("name", "province", "description"),
                latitude=Decimal(item["latitude"]),
                longitude=Decimal(item["longitude"]),
            )
            for item in data["cities"]
        }

        for item in data["providers"]:
            provider = self.entity(
                Provider,
                "provider",
                item,
                (
                    "name",
                    "kind",
                    "founded_year",
                    "founded_year_ambiguous",
                    "headcount",
                    "description",
                ),
                parent=orgs.get(item.get("parent")),
            )
            if provider is None:
                continue
            slug = item["slug"]
            for alias in item.get("aliases", []):
                key = f"alias:{slug}|{alias['name']}"
                obj = self.ensure(
                    ProviderAlias,
                    key,
                    {"provider": provider, "name": alias["name"]},
                    {"kind": alias["kind"]},
                )
                self.cite(obj, key, alias["cite"])
            for link in item.get("services", []):
                key = f"provider-service:{slug}|{link['line']}"
                line = lines[link["line"]]
                if line is None:
                    continue
                obj = self.ensure(
                    ProviderService, key, {"provider": provider, "service_line": line}
                )
                self.cite(obj, key, link["cite"])
            for link in item.get("cities", []):
                key = f"provider-city:{slug}|{link['city']}"
                city = cities[link["city"]]
                if city is None:
                    continue
                obj = self.ensure(ProviderCity, key, {"provider": provider, "city": city})
                self.cite(obj, key, link["cite"])

        for item in data["incentives"]:
            self.entity(
                Incentive,
                "incentive",
                item,
                ("name", "kind", "status", "year", "description"),
                body=orgs.get(item.get("body")),
            )

        metrics = {
            item["slug"]: self.ensure(
                Metric,
                f"metric:{item['slug']}",
                {"slug": item["slug"]},
                {"name": item["name"], "description": item["description"]},
            )
            for item in data["metrics"]
        }
        statistics = {}
        for item in data["statistics"]:
            if metrics[item["metric"]] is None:
                continue
            statistics[item["slug"]] = self.entity(
                Statistic,
                "statistic",
                item,
                (
                    "unit",
                    "qualifier",
                    "period_kind",
                    "year",
                    "span_years",
                    "months",
                    "scope",
                    "is_forecast",
                ),
                metric=metrics[item["metric"]],
                value=Decimal(item["value"]),
                value_upper=Decimal(item["value_upper"]) if "value_upper" in item else None,
                origin=orgs.get(item.get("origin")),
            )

        for item in data["disagreements"]:
            implied = item.get("implied_value")
            disagreement = self.entity(
                Disagreement,
                "disagreement",
                item,
                ("title", "kind", "summary", "implied_unit", "implied_working"),
                implied_value=Decimal(implied) if implied else None,
            )
            if disagreement is None:
                continue
            key = f"disagreement:{item['slug']}"
            if key in self.new_keys:
                disagreement.statistics.set(
                    [statistics[s] for s in item.get("statistics", []) if statistics.get(s)]
                )
            for position, side in enumerate(item["sides"], start=1):
                side_key = f"side:{item['slug']}|{position}"
                obj = self.ensure(
                    DisagreementSide,
                    side_key,
                    {"disagreement": disagreement, "position": position},
                    {"claim": side["claim"]},
                )
                self.cite(obj, side_key, side["cite"])

        challenges = {
            item["slug"]: self.entity(Challenge, "challenge", item, ("name", "description"))
            for item in data["challenges"]
        }
        for item in data["advantages"]:
            self.entity(Advantage, "advantage", item, ("name", "scope", "description"))
        for item in data["solutions"]:
            solution = self.entity(Solution, "solution", item, ("name", "actor", "description"))
            if solution is not None and f"solution:{item['slug']}" in self.new_keys:
                solution.challenges.set(
                    [challenges[c] for c in item["challenges"] if challenges.get(c)]
                )

        LoadedRecord.objects.bulk_create(
            [LoadedRecord(key=key) for key in self.new_keys], ignore_conflicts=True
        )
        return self.created
