from django.urls import path

from .views import home, projects

urlpatterns = [
    path("", home.home, name="home"),
    # Projects
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
]
