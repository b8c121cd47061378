from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_list, name="users"),
    path("inviter/", views.user_invite, name="user_invite"),
    path("<int:pk>/", views.user_detail, name="user"),
]
