"""The referent's cost pages (parameters with history, what-if projection, dashboard and its
yearly report), the administrators' fee pages (payments, refunds, waivers, GIP statement),
the reconciliation with Pix, and the external candidate's own fees, receipts and bookings; one
module per domain noun.

Access: the Pix referent only. Administrators (gestionnaires) get 403 like every other role:
the role table gives cost parameters and dashboards to the referent, and the figures an
administrator needs day to day (a fee due) will be shown where they work.
"""
