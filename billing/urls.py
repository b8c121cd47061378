from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("parametres/", views.parameters, name="parameters"),
    path("parametres/<str:label>/", views.year_parameters, name="year_parameters"),
    path("projection/", views.projection, name="projection"),
]
