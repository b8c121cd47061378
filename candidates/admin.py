from django.contrib import admin

from .models import (
    Candidate,
    PositioningProfile,
    PreparationUnit,
    ProfileImport,
    UnitEnrolment,
)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["birth_name", "first_name", "kind", "external_id", "priority_tier", "user"]
    list_filter = ["kind", "study_year", "priority_tier", "is_certifiable"]
    search_fields = ["birth_name", "first_name", "external_id", "user__email"]
    raw_id_fields = ["user"]


@admin.register(PositioningProfile)
class PositioningProfileAdmin(admin.ModelAdmin):
    list_display = ["candidate", "measured_at", "campaign_name", "total_pix", "is_certifiable"]
    raw_id_fields = ["candidate", "source_import"]
    search_fields = ["candidate__birth_name", "candidate__external_id"]


@admin.register(ProfileImport)
class ProfileImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "created_at", "status", "created_count", "updated_count"]
    list_filter = ["status"]


@admin.register(PreparationUnit)
class PreparationUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "academic_year", "semester", "quota"]


@admin.register(UnitEnrolment)
class UnitEnrolmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "unit", "courses_completed"]
    raw_id_fields = ["candidate"]
