from django.urls import path, re_path

from kontor.api.errors import unknown_path
from kontor.api.main import api

urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<path>.*)$", unknown_path),
]
