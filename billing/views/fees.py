"""Fees: the external candidate's own fees and receipts, the administrators' fee list and
their actions on a fee (payment, refund, waiver)."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.models import Role
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, refuse_form
from pixcentre.filters import uses_filters

from .. import services
from ..access import receipt_for
from ..forms import (
    FeeFilterForm,
    PaymentForm,
    RefundForm,
    WaiverForm,
)
from ..models import Fee, FeeStatus


@role_required(Role.CANDIDATE)
def my_fees(request):
    candidate = getattr(request.user, "candidate", None)
    fees = []
    if candidate is not None:
        fees = (
            Fee.objects.filter(registration__candidate=candidate)
            .select_related(
                "registration__session__room", "payment__receipt__year", "payment__refund"
            )
            .order_by("-registration__session__date")
        )
    return render(request, "billing/my_fees.html", {"fees": fees, "candidate": candidate})


@role_required(Role.ADMINISTRATOR, Role.CANDIDATE)
def receipt_download(request, pk):
    receipt = receipt_for(request.user, pk)
    if not receipt.file:
        raise Http404  # still being produced: the page says so
    return FileResponse(
        receipt.file.open("rb"),
        as_attachment=True,
        filename=f"recu-{receipt.display_number}.pdf",
        content_type="application/pdf",
    )


FEES_PER_PAGE = 25


@role_required(Role.ADMINISTRATOR)
@uses_filters(FeeFilterForm)
def fee_list(request):
    form = FeeFilterForm(request.GET or None)
    fees = Fee.objects.select_related(
        "registration__candidate",
        "registration__session__room",
        "payment__receipt__year",
    ).order_by("registration__session__date", "registration__candidate__birth_name", "pk")
    if form.is_valid():
        if form.cleaned_data["status"]:
            fees = fees.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["session"]:
            fees = fees.filter(registration__session=form.cleaned_data["session"])
    page = Paginator(fees, FEES_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    # Who has not paid before their session: due fees of sessions to come, soonest first.
    unpaid_soon = (
        Fee.objects.filter(status=FeeStatus.DUE, registration__session__date__gte=today)
        .select_related("registration__candidate", "registration__session__room")
        .order_by("registration__session__date", "registration__session__start_time")[:20]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "billing/fee_list.html",
        {"form": form, "page": page, "unpaid_soon": unpaid_soon, "query": query.urlencode()},
    )


ACTIONS = {
    "paiement": (PaymentForm, gettext_lazy("Enregistrer un paiement")),
    "remboursement": (RefundForm, gettext_lazy("Enregistrer un remboursement")),
    "exoneration": (WaiverForm, gettext_lazy("Exonérer des frais")),
}


CONFIRM_QUESTIONS = {
    "paiement": gettext_lazy(
        "Enregistrer le paiement de %(amount)s € par %(who)s (session du %(session)s) ? Un reçu "
        "numéroté est émis et envoyé ; il ne s’annule pas."
    ),
    "remboursement": gettext_lazy(
        "Rembourser %(amount)s € à %(who)s (session du %(session)s) ? Le remboursement est "
        "définitif."
    ),
    "exoneration": gettext_lazy(
        "Exonérer %(who)s des frais de %(amount)s € (session du %(session)s) ? L’exonération "
        "est définitive."
    ),
}


def _shown(field, value) -> str:
    """A cleaned form value as a person reads it on the confirmation page."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def fee_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    fee = get_object_or_404(
        Fee.objects.select_related(
            "registration__candidate", "registration__session__room", "payment"
        ),
        pk=pk,
    )
    form_class, title = ACTIONS[action]
    initial = {"paid_on": timezone.localdate(), "refunded_on": timezone.localdate()}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A receipt number, a refund or a waiver cannot be taken back: confirm first.
        page = ask_first(
            request,
            question=CONFIRM_QUESTIONS[action]
            % {
                "amount": number_format(fee.amount, 2, force_grouping=True),
                "who": fee.registration.candidate,
                "session": fee.registration.session,
            },
            details=[
                f"{form.fields[name].label} : {_shown(form.fields[name], value)}"
                for name, value in data.items()
                if value
            ],
            confirm_label=str(title),
            cancel_url=reverse("billing:fees"),
            danger=action != "paiement",
        )
        if page:
            return page
        try:
            if action == "paiement":
                payment = services.record_payment(
                    fee,
                    acting_user=request.user,
                    paid_on=data["paid_on"],
                    method=data["method"],
                    reference=data["reference"],
                )
                messages.success(
                    request,
                    _("Paiement enregistré : reçu n° %(number)s.")
                    % {"number": payment.receipt.display_number},
                )
            elif action == "remboursement":
                services.record_refund(
                    fee,
                    acting_user=request.user,
                    refunded_on=data["refunded_on"],
                    reason=data["reason"],
                    reference=data["reference"],
                )
                messages.success(request, _("Remboursement enregistré."))
            else:
                services.waive_fee(fee, acting_user=request.user, reason=data["reason"])
                messages.success(request, _("Frais exonérés."))
        except DomainError as error:
            refuse_form(form, error)
        else:
            return redirect("billing:fees")
    refund_problems = {}
    if action == "remboursement" and fee.status == FeeStatus.PAID:
        refund_problems = {
            label: services.refund_problem(fee, value)
            for value, label in RefundForm().fields["reason"].choices
        }
    return render(
        request,
        "billing/fee_action.html",
        {
            "fee": fee,
            "form": form,
            "title": title,
            "action": action,
            "refund_problems": refund_problems,
        },
    )
