# Deliberately empty: the auditor's page (/audit/) is the one place the trail is read, through
# the policy; the admin would show it to every superuser whatever their roles.
