"""The test CAS server's users: a JSON file that the test writes and may rewrite between two
sign-ins (``{"username": {"password": "...", "attributes": {"supannEtuId": "...", ...}}}``).
Read at every login and ticket validation: no restart to change a student's attributes."""

import json
import os

from cas_server.auth import AuthUser

DEMO_USERS = os.path.join(os.path.dirname(__file__), "demo_users.json")


def users() -> dict:
    path = os.environ.get("PIXCENTRE_TEST_CAS_USERS") or DEMO_USERS
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class FileAuthUser(AuthUser):
    def test_password(self, password):
        user = users().get(self.username)
        return bool(user) and user.get("password") == password

    def attributs(self):
        user = users().get(self.username) or {}
        return dict(user.get("attributes") or {})
