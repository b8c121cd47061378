"""Form rendering shared by every app: Bootstrap classes on each widget."""

from django.forms.renderers import TemplatesSetting


class BootstrapFormRenderer(TemplatesSetting):
    """Adds Bootstrap's classes to widgets so that every form looks the same."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            attrs = widget.setdefault("attrs", {})
            kind = widget.get("type")
            base = {"checkbox": "form-check-input", "radio": "form-check-input"}.get(
                kind, "form-select" if template_name.endswith("select.html") else "form-control"
            )
            attrs["class"] = f"{base} {attrs.get('class', '')}".strip()
        return super().render(template_name, context, request)
