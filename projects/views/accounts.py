from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse

__all__ = ["health", "login_not_required"]


@login_not_required
def health(request):
    """For the load balancer: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
