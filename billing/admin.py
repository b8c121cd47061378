from django.contrib import admin

from .models import CostParameterChange, CostParameterSet, Fee, Payment, Receipt, Refund


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Fees, payments and receipts change through the services (audit rows, receipt numbers):
    the back office only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fee)
class FeeAdmin(ReadOnlyAdmin):
    list_display = ["registration", "amount", "gip_share", "status", "created_at"]
    list_filter = ["status", "academic_year"]
    list_select_related = ["registration__candidate", "registration__session__room"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["fee", "amount", "paid_on", "method", "reference", "recorded_by"]
    list_filter = ["method"]
    list_select_related = ["fee__registration__candidate", "fee__registration__session__room"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["display_number", "payment", "issued_at", "generated_at"]
    list_filter = ["year"]
    list_select_related = ["year", "payment__fee__registration__candidate"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "refunded_on", "reason"]
