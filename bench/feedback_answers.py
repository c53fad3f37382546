"""What a member posts on the feedback form, shared by bench/load.py, bench/request_cost.py and
bench/submit_profile.py."""

import base64
import io
from urllib.parse import urlencode

from PIL import Image, ImageDraw


def signature_data_url():
    """A signature as the pad posts it: a transparent PNG the size of a phone's canvas (x2), a few strokes."""
    image = Image.new("RGBA", (700, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for stroke in (
        [(60, 200), (110, 90), (160, 210), (210, 80), (260, 190)],
        [(300, 120), (360, 220), (420, 100), (470, 230)],
        [(500, 160), (560, 90), (640, 200)],
    ):
        draw.line(stroke, fill=(17, 17, 17, 255), width=6, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


SIGNATURE = signature_data_url()
ANSWERS = {
    "methods": ["visit", "phone"],
    "other_method": "",
    "handling_effect": "solved",
    "satisfaction": "satisfied",
    "publish_consent": "yes",
    "opinion": "承办单位与我当面沟通，答复具体，措施可行，满意。",
    "signature_data": SIGNATURE,
}
# Encoded once: quoting the signature's data URL is the phone's work, not the server's, and a
# bench that redid it per request charged it to the server (or to the CPUs the server shares).
ENCODED_ANSWERS = urlencode(ANSWERS, doseq=True)


def form_body(csrf_token):
    """The urlencoded POST body of the form: the answers and this page's CSRF token."""
    return f"{ENCODED_ANSWERS}&{urlencode({'csrfmiddlewaretoken': csrf_token})}"
