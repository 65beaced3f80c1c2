from django.urls import path

urlpatterns: list = []  # the API helper replaces this with the django-ninja router
_ = path
