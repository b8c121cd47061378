import ipaddress

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter

from .models import Role


class AccountAdapter(DefaultAccountAdapter):
    """Everyone who signs up is a candidate; other roles are given by an administrator."""

    def save_user(self, request, user, form, commit=True):
        user.role = Role.CANDIDATE
        return super().save_user(request, user, form, commit=commit)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed sign-ins are counted per account *and* client address.

        allauth counts them per account only (``login_failed: 5/5m/key``): five wrong
        passwords typed by anyone, anywhere, locked the account for five minutes, so a
        stranger could keep the administrator out for as long as they liked. Keyed by address
        as well, the stranger locks only themselves out of that account while its owner, from
        their own address, still signs in. One address still gets 5 tries per account and 10
        failures a minute in all (``10/m/ip``); IPv6 counts per /64 like allauth's own limits.
        ``tests/accounts/test_login_lockout.py`` holds both sides.
        """
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{_address_block(self.get_client_ip(request))}"


def _address_block(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False).network_address)
    return ip
