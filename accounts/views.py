"""Users and roles page of administrators: list, search, invite, change role, deactivate."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pixcentre.errors import DomainError, refuse_form, refused
from pixcentre.filters import uses_filters

from . import services
from .access import role_required
from .forms import InviteForm, RoleForm, UserFilterForm
from .models import Role, User

PAGE_SIZE = 30
STAFF = (Role.INVIGILATOR, Role.ADMINISTRATOR, Role.REFERENT)

admin_only = role_required(Role.ADMINISTRATOR)


def filtered_users(params):
    form = UserFilterForm(params)
    users = User.objects.all()
    role = active = ""
    if form.is_valid():
        d = form.cleaned_data
        role, active = d["role"], d["active"]
        for word in d["q"].split():
            users = users.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
    if role == "":
        users = users.filter(role__in=STAFF)
    elif role != "all":
        users = users.filter(role=role)
    if active == "":
        users = users.filter(is_active=True)
    elif active == "no":
        users = users.filter(is_active=False)
    return form, users.order_by("last_name", "first_name", "email")


@admin_only
@require_http_methods(["GET"])
@uses_filters(UserFilterForm)
def user_list(request):
    form, users = filtered_users(request.GET)
    # Queries: the count, one page of users.
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "roles": Role.choices},
    )


@admin_only
@require_http_methods(["GET", "POST"])
def user_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc, "email")
        else:
            messages.success(
                request,
                _("Compte créé : %(email)s reçoit un lien pour choisir son mot de passe.")
                % {"email": user.email},
            )
            return redirect("accounts:users")
    return render(request, "accounts/user_invite.html", {"form": form})


@admin_only
@require_http_methods(["GET", "POST"])
def user_detail(request, pk):
    """One account: change its role, deactivate or reactivate it (a confirmation step each)."""
    person = get_object_or_404(User, pk=pk)
    action = request.POST.get("action", "")
    role_form = RoleForm(request.POST if action == "role" else None, initial={"role": person.role})
    if request.method == "POST":
        confirmed = request.POST.get("confirmed") == "1"
        try:
            if action == "role" and role_form.is_valid():
                role = role_form.cleaned_data["role"]
                if role != person.role and not confirmed:
                    return render(
                        request,
                        "accounts/user_confirm.html",
                        {
                            "person": person,
                            "action": "role",
                            "role": role,
                            "role_label": Role(role).label,
                        },
                    )
                services.change_role(person, role, acting_user=request.user)
                messages.success(request, _("Rôle modifié."))
                return redirect("accounts:user", pk=pk)
            if action in ("deactivate", "activate"):
                if action == "deactivate" and not confirmed:
                    return render(
                        request, "accounts/user_confirm.html", {"person": person, "action": action}
                    )
                services.set_active(person, action == "activate", acting_user=request.user)
                messages.success(
                    request,
                    _("Compte réactivé.") if action == "activate" else _("Compte désactivé."),
                )
                return redirect("accounts:user", pk=pk)
        except DomainError as exc:
            refused(request, exc)
            return redirect("accounts:user", pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"person": person, "role_form": role_form, "is_self": person.pk == request.user.pk},
    )
