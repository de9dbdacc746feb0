from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A member of the bureau's staff. Roles and agency scope hang off this model."""

    class Meta:
        db_table = "core_user"
