"""/api/token/: a program signs in with a user name, a password and (where the policy asks
for one) an authenticator code, and gets an API token; with the token it can revoke it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tracebureau.accounts import services
from tracebureau.accounts.authentication import BearerTokenAuthentication
from tracebureau.accounts.models import ApiToken
from tracebureau.core.api import field_errors
from tracebureau.core.choices import Role
from tracebureau.core.policy import requires_two_factor


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True,
                                help_text="The authenticator code, for users who sign in with one.")
    name = serializers.CharField(required=False, max_length=100, default="API")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False,
                                  help_text="A subset of the user's roles; all of them if left out.")


class TokenIssuedSerializer(serializers.ModelSerializer):
    key = serializers.CharField(help_text="Shown once: only its digest is kept.")

    class Meta:
        model = ApiToken
        fields = ["key", "prefix", "name", "roles", "expires_at"]


class CallingToken(BasePermission):
    """Only a request authenticated by a token can revoke it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken)


class TokenView(APIView):
    # Never the session: this endpoint is for programs, and a session here would need CSRF.
    authentication_classes = [BearerTokenAuthentication]

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.request.method == "POST" else [CallingToken()]

    @extend_schema(request=TokenObtainSerializer, responses={201: TokenIssuedSerializer},
                   auth=[], summary="Sign in and get an API token")
    def post(self, request: Request) -> Response:
        data = TokenObtainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = self._signed_in(request, **data.validated_data)
        try:
            token, key = services.token_issue(
                user=user, name=data.validated_data["name"], roles=data.validated_data.get("roles")
            )
        except ValidationError as exc:
            raise exceptions.ValidationError(field_errors(exc)) from None
        # A sign-in like any other: last_login is set and django-axes clears the failures.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token.key = key  # type: ignore[attr-defined]
        return Response(TokenIssuedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked")},
                   summary="Revoke the token this request carries")
    def delete(self, request: Request) -> Response:
        assert isinstance(request.auth, ApiToken)  # CallingToken let only a token through
        services.token_revoke(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _signed_in(request: Request, *, username: str, password: str, otp: str = "", **_: Any) -> Any:
        # The Django request, so that django-axes counts failures and AxesMiddleware answers a
        # lockout; it flags the request and our 401 becomes its 429.
        user = authenticate(request._request, username=username, password=password)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("Unable to sign in with these credentials.")
        if requires_two_factor(user):
            TokenView._second_factor(user, otp)
        return user

    @staticmethod
    def _second_factor(user: Any, otp: str) -> None:
        device = services.confirmed_device(user)
        if device is None:
            raise exceptions.PermissionDenied(
                "Set up two-factor sign-in on the web first; then give its code as `otp`."
            )
        wait = services.throttle_wait(device)
        if wait:
            raise exceptions.Throttled(wait=wait, detail="Too many wrong authenticator codes.")
        if not otp or not services.device_verify(device=device, code=otp):
            raise exceptions.AuthenticationFailed("The authenticator code (`otp`) is missing or wrong.")


class TokenRevokeView(TokenView):
    http_method_names = ["post", "options"]

    def get_permissions(self) -> list[BasePermission]:
        return [CallingToken()]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked")},
                   summary="Revoke the token this request carries")
    def post(self, request: Request) -> Response:  # type: ignore[override]
        return self.delete(request)
