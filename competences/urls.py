from django.urls import path

from . import views

app_name = "competences"
urlpatterns = [
    path("", views.referential, name="referential"),
]
