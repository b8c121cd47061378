from django.contrib import admin

from .models import Candidate


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["birth_name", "first_name", "kind", "external_id", "user"]
    list_filter = ["kind"]
    search_fields = ["birth_name", "first_name", "external_id", "user__email"]
    raw_id_fields = ["user"]
