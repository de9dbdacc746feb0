"""What the enrolment page shows: the device's otpauth:// address as an inline SVG QR code and
its secret in letters for typing by hand. Drawn on the server, so no script and no outside
service ever sees the secret."""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice


def otpauth_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str) -> str:
    """An <svg> element (no XML declaration) that draws `text` as a QR code."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode").split("?>", 1)[-1].strip()
