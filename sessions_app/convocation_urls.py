from django.urls import path

from . import convocation_views as views

app_name = "convocations"
urlpatterns = [
    path("", views.index, name="index"),
    path("session/<int:pk>/", views.session_detail, name="session"),
    path("session/<int:pk>/progression.json", views.progress_json, name="progress"),
    path("<int:pk>/renvoyer/", views.resend, name="resend"),
    path("moi/", views.mine, name="mine"),
    path("inscription/<int:pk>/convocation.pdf", views.download_pdf, name="pdf"),
    path("inscription/<int:pk>/invitation.ics", views.download_ics, name="ics"),
]
