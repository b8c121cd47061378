from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from candidates import cas
from sessions_app import urls as sessions_urls

from . import accessibility, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("journal/", views.audit_log, name="audit_log"),
    path("accessibilite/", accessibility.statement, name="accessibility"),
    # University sign-in (CAS): 404 unless CAS_SERVER_URL is set.
    path("comptes/universite/", cas.UniversityLoginView.as_view(), name="cas_ng_login"),
    path(
        "comptes/universite/deconnexion/",
        cas.UniversityLogoutView.as_view(),
        name="cas_ng_logout",
    ),
    path("comptes/", include("allauth.urls")),
    path("utilisateurs/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("referentiel/", include("competences.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("candidats/", include("candidates.urls")),
    path("convocations/", include(sessions_urls.convocation_patterns)),
    path("resultats/", include(sessions_urls.results_patterns)),
    path("surveillance/", include(sessions_urls.invigilation_patterns)),
    path("couts/", include("billing.urls")),
    # Before the admin's own login/: superusers sign in through allauth (pixcentre/views.py).
    path("backoffice/login/", views.backoffice_login),
    path("backoffice/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
