from django.contrib import admin

from .models import CostParameterChange, CostParameterSet


class CostParameterChangeInline(admin.TabularInline):
    model = CostParameterChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "changed_by", "field", "old_value", "new_value", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CostParameterSet)
class CostParameterSetAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the referent's page so that history is written."""

    list_display = ["year", "hourly_cost", "external_fee", "gip_share", "updated_at"]
    inlines = [CostParameterChangeInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
