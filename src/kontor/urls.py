from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("kontor.api.urls")),
    path("d/", include("kontor.delivery.urls")),
    path("", admin.site.urls),
]
