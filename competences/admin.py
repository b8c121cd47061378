from django.contrib import admin

from .models import Area, Competence


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "title_en"]


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "area"]
    list_filter = ["area"]
