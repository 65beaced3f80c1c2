from django.urls import path

from kontor.delivery import views

app_name = "delivery"
urlpatterns = [
    path("<str:token>/", views.download, name="download"),
]
