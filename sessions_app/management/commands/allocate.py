"""``manage.py allocate CAMPAIGN_ID [--dry-run]``: allocate a closed campaign's seats."""

from django.core.management.base import BaseCommand, CommandError

from sessions_app.models import Campaign
from sessions_app.services import SessionError, allocate_campaign


class Command(BaseCommand):
    help = "Allocate the seats of a closed registration campaign (by tier, then time)."

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get what, write nothing"
        )

    def handle(self, *args, campaign_id, dry_run, **options):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"No campaign with id {campaign_id}.")
        try:
            result = allocate_campaign(campaign, acting_user=None, dry_run=dry_run)
        except SessionError as exc:
            raise CommandError(exc.message) from exc
        if result.already_done and not dry_run:
            self.stdout.write(f"Campaign {campaign_id} was already allocated: nothing done.")
            return
        for o in result.outcomes:
            where = str(o.session) if o.session else "-"
            tier = o.candidate.priority_tier or "-"
            extra = f" #{o.waitlist_position}" if o.waitlist_position else ""
            self.stdout.write(f"{o.candidate}\ttier {tier}\t{o.status}{extra}\t{where}")
        label = "would be" if dry_run else "were"
        self.stdout.write(
            f"{len(result.confirmed)} seats {label} confirmed, "
            f"{len(result.waitlisted)} {label} waitlisted."
        )
