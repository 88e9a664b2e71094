"""Build the POST data an admin change form would send, from the form Django rendered."""


def _form_data(form):
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        key = form.add_prefix(name)
        if isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = field.widget.format_value(value) if hasattr(field, "widget") else value
    return data


def change_form_data(response):
    """POST data that re-submits an admin add/change form exactly as rendered."""
    data = _form_data(response.context["adminform"].form)
    inlines = response.context.get("inline_admin_formsets", [])
    for inline in inlines:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.initial_forms:
            data.update(_form_data(form))
    return {k: v for k, v in data.items() if v is not None}


def inline_prefix(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)
