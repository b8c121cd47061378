"""The referent's cost pages (parameters with history, what-if projection, dashboard and its
yearly report), the administrators' fee pages (payments, refunds, waivers, GIP statement) and
the external candidate's own fees and receipts.

Access: the Pix referent only. Administrators (gestionnaires) get 403 like every other role:
the role table gives cost parameters and dashboards to the referent, and the figures an
administrator needs day to day (a fee due) will be shown where they work.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear, CandidateKind
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, refuse_form, refused
from pixcentre.filters import YearLabelFilters, uses_filters

from . import costs, dashboard, reconciliation, reports, services
from .access import receipt_for
from .forms import (
    CostParameterForm,
    FeeFilterForm,
    PaymentForm,
    PeriodForm,
    ProjectionForm,
    RefundForm,
    ReopenForm,
    WaiverForm,
)
from .models import Fee, FeeStatus

HISTORY_LENGTH = 50


@role_required(Role.REFERENT)
def parameters(request):
    """The current year's parameters (or a page saying there is no academic year yet)."""
    year = AcademicYear.current()
    if year is None:
        return render(request, "billing/no_year.html")
    return redirect("billing:year_parameters", label=year.label)


@role_required(Role.REFERENT)
def year_parameters(request, label):
    year = get_object_or_404(AcademicYear, label=label)
    parameter_set = services.cost_parameters_for(year)
    params = parameter_set.as_parameters()  # the saved figures: the form edits the instance
    locked = parameter_set.is_locked()
    form = CostParameterForm(request.POST or None, instance=parameter_set)
    if locked:
        for field in form.fields.values():
            field.disabled = True  # shown, not editable: a POST keeps the saved values
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_cost_parameters(
                year,
                acting_user=request.user,
                values=form.parameter_values(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            refuse_form(form, error)
        else:
            if changes:
                messages.success(
                    request,
                    _("Paramètres de coût %(year)s enregistrés (%(count)s modification(s)).")
                    % {"year": year.label, "count": len(changes)},
                )
            else:
                messages.info(request, _("Aucune valeur n’a changé."))
            return redirect("billing:year_parameters", label=year.label)
    history = parameter_set.changes.select_related("changed_by")[:HISTORY_LENGTH]
    return render(
        request,
        "billing/parameters.html",
        {
            "year": year,
            "years": AcademicYear.objects.all(),
            "form": form,
            "locked": locked,
            "parameter_set": parameter_set,
            "reopen_form": ReopenForm() if locked else None,
            "history": history,
            "fixed": costs.fixed_cost_breakdown(params),
            "fixed_total": costs.fixed_costs(params),
            "full_session_cost": costs.planned_session_cost(
                params.candidates_per_invigilator, True, params
            ),
        },
    )


@role_required(Role.REFERENT)
@require_POST
def reopen_parameters(request, label):
    """A closed year's parameters reopened for a while by the referent, with a reason."""
    year = get_object_or_404(AcademicYear, label=label)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("billing:year_parameters", label=year.label)
    try:
        parameter_set = services.reopen_cost_parameters(
            year, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("Paramètres de coût %(year)s rouverts jusqu’au %(until)s.")
            % {
                "year": year.label,
                "until": formats.date_format(
                    timezone.localtime(parameter_set.reopened_until), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    return redirect("billing:year_parameters", label=year.label)


@role_required(Role.REFERENT)
@uses_filters(ProjectionForm)
def projection(request):
    asked = any(name in request.GET for name in ProjectionForm.base_fields)
    form = ProjectionForm(request.GET if asked else None, initial=ProjectionForm.INITIAL)
    result = year = None
    if not asked:
        values = ProjectionForm.INITIAL
    elif form.is_valid():
        values = form.cleaned_data
        year = values["year"]
    else:
        values = None
    if values is not None:
        params = services.parameters_for_year(year)
        result = costs.projection(
            values["sessions"],
            values["candidates"],
            values["extension"],
            values["paying_sessions"],
            params,
            certification=values.get("certification", ""),
        )
    return render(
        request, "billing/projection.html", {"form": form, "result": result, "year": year}
    )


# --- The referent's dashboard -----------------------------------------------------------------


def _chosen_year(request, label=None):
    """(years, chosen year): the asked one, else the year containing today, else the latest.

    One query: the years are read once and chosen among in Python.
    """
    years = list(AcademicYear.objects.all())
    if label is None:
        form = YearLabelFilters(request.GET)
        label = form.values().get("annee")
        if form.errors:
            raise Http404  # no year has such a label (NUL, too long)
    if label:
        for year in years:
            if year.label == label:
                return years, year
        raise Http404
    today = timezone.localdate()
    current = [y for y in years if y.start_date <= today <= y.end_date]
    return years, (current[0] if current else (years[0] if years else None))


@role_required(Role.REFERENT)
@uses_filters(YearLabelFilters)
def dashboard_view(request):
    years, year = _chosen_year(request)
    if year is None:
        return render(request, "billing/no_year.html")
    board = dashboard.year_dashboard(year)
    return render(
        request,
        "billing/dashboard.html",
        {
            "years": years,
            "year": year,
            "board": board,
            "f": board.figures,
            "figures": reports.year_report_figures(board),
            "chart": dashboard.chart_data(board),
        },
    )


@role_required(Role.REFERENT)
def year_report(request, label, fmt):
    if fmt not in ("csv", "pdf"):
        raise Http404
    _years, year = _chosen_year(request, label)
    board = dashboard.year_dashboard(year)
    counts = reconciliation.for_year(year).counts()
    name = f"rapport-pix-{year.label}"
    if fmt == "csv":
        response = HttpResponse(
            reports.to_csv(reports.year_report_rows(board, counts)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    pdf = reports.to_pdf(
        "billing/pdf/year_report.html",
        {
            "board": board,
            "f": board.figures,
            "figures": reports.year_report_figures(board),
            "reconciliation": list(reports.reconciliation_rows(counts)),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


# --- The external candidate's fees ------------------------------------------------------------


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


# --- Administrators: fees, payments, refunds, waivers, GIP statement -------------------------

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


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
@uses_filters(PeriodForm)
def gip_statement_view(request):
    today = timezone.localdate()
    default_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    asked = "start" in request.GET
    form = PeriodForm(
        request.GET if asked else None,
        initial={"start": default_start, "end": today.replace(day=1) - dt.timedelta(days=1)},
    )
    statement = None
    if asked and form.is_valid():
        statement = reports.gip_statement(form.cleaned_data["start"], form.cleaned_data["end"])
        fmt = request.GET.get("format")
        name = f"releve-gip-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}"
        if fmt == "csv":
            response = HttpResponse(
                reports.to_csv(reports.gip_statement_rows(statement)),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "pdf":
            response = HttpResponse(
                reports.to_pdf("billing/pdf/gip_statement.html", {"statement": statement}),
                content_type="application/pdf",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "billing/gip_statement.html",
        {"form": form, "statement": statement, "query": query.urlencode()},
    )


# --- Reconciliation with Pix (administrators and the referent) --------------------------------

RECONCILIATION_SESSIONS_PER_PAGE = 50
RECONCILIATION_MISMATCHES_PER_PAGE = 100


def _reconciliation_csv(rec, name):
    response = HttpResponse(
        reports.to_csv(reconciliation.csv_rows(rec)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
def reconciliation_year(request, label=None):
    """One year: the mismatches, and each session's counts side by side (enrolled, exported,
    present, results, paid). ``?format=csv`` downloads every line of the year."""
    years, year = _chosen_year(request, label)
    if year is None:
        return render(request, "billing/no_year.html")
    rec = reconciliation.for_year(year)
    if request.GET.get("format") == "csv":
        return _reconciliation_csv(rec, f"rapprochement-pix-{year.label}")
    by_session: dict[int, dict] = {}
    for line in rec.lines:
        entry = by_session.setdefault(
            line.session.pk, {"session": line.session, "lines": [], "mismatches": 0}
        )
        entry["lines"].append(line)
        entry["mismatches"] += len(line.mismatches)
    sessions = [
        {**entry, "totals": reconciliation.Reconciliation(entry["lines"]).totals}
        for entry in by_session.values()
    ]
    sessions_page = Paginator(sessions, RECONCILIATION_SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    mismatches_page = Paginator(rec.mismatches, RECONCILIATION_MISMATCHES_PER_PAGE).get_page(
        request.GET.get("ecarts")
    )
    counts = rec.counts()
    return render(
        request,
        "billing/reconciliation_year.html",
        {
            "years": years,
            "year": year,
            "rec": rec,
            "totals": rec.totals,
            "counts": [(reconciliation.KIND_LABELS[k], counts[k]) for k in reconciliation.KINDS],
            "sessions_page": sessions_page,
            "page": sessions_page,
            "mismatches_page": mismatches_page,
        },
    )


@role_required(Role.ADMINISTRATOR, Role.REFERENT)
def reconciliation_session(request, pk):
    """One session, candidate by candidate."""
    from sessions_app.models import Session

    session = get_object_or_404(Session.objects.select_related("room", "academic_year"), pk=pk)
    rec = reconciliation.for_session(session)
    if request.GET.get("format") == "csv":
        return _reconciliation_csv(
            rec, f"rapprochement-pix-session-{session.date:%Y%m%d}-{session.pk}"
        )
    counts = rec.counts()
    return render(
        request,
        "billing/reconciliation_session.html",
        {
            "session": session,
            "rec": rec,
            "totals": rec.totals,
            "counts": [(reconciliation.KIND_LABELS[k], counts[k]) for k in reconciliation.KINDS],
        },
    )


def _bookable_session(request, pk):
    """The session an external candidate may book now; anyone else, or a session that is not
    open to externals or has started, 404."""
    from sessions_app.models import Session, SessionStatus
    from sessions_app.services import sessions_with_counts

    candidate = getattr(request.user, "candidate", None)
    if candidate is None or candidate.kind != CandidateKind.EXTERNAL:
        raise Http404
    session = get_object_or_404(
        sessions_with_counts(Session.objects.filter(status=SessionStatus.OPEN)), pk=pk
    )
    if not session.accepts(CandidateKind.EXTERNAL) or session.starts_at <= timezone.now():
        raise Http404
    return candidate, session


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def book(request, pk):
    """An external candidate's booking: the fee and how to pay it first, then « Confirmer ».
    The amount shown is sent back with the confirmation: if the centre changed its fee in
    between, the page shows the new one and books nothing."""
    from sessions_app import services as session_services
    from sessions_app.models import ACTIVE_STATUSES, Registration, RegistrationStatus

    candidate, session = _bookable_session(request, pk)
    if Registration.objects.filter(
        candidate=candidate, session=session, status__in=ACTIVE_STATUSES
    ).exists():
        return redirect("sessions_app:mine")  # booked already (a second tab, a double click)
    amount = services.parameters_for_year(session.academic_year).external_fee
    if request.method == "POST":
        if request.POST.get("amount") != str(amount):
            messages.warning(
                request,
                _(
                    "Le tarif de cette session a changé : vérifiez le nouveau montant, "
                    "puis confirmez."
                ),
            )
        else:
            try:
                registration = session_services.book_external(
                    session, candidate, acting_user=request.user
                )
            except DomainError as exc:
                refused(request, exc)
                return redirect("sessions_app:offer")
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(
                    request,
                    _(
                        "Votre place est réservée. %(amount)s € sont à régler au centre : "
                        "voici comment payer."
                    )
                    % {"amount": _money(amount)},
                )
                return redirect("billing:my_fees")
            messages.info(request, _("Session complète : vous êtes sur la liste d’attente."))
            return redirect("sessions_app:mine")
    return render(
        request,
        "billing/book.html",
        {
            "session": session,
            "amount": amount,
            "seats_left": session.seats_left,
            "candidate": candidate,
            "cancellation_deadline": session.cancellation_deadline(),
        },
    )


def _money(amount) -> str:
    from django.utils.formats import number_format

    return number_format(amount, 2, use_l10n=True, force_grouping=True)
