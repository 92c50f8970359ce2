from django.contrib import admin

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "token_key", "created", "expiry")
    list_filter = ("user",)
    search_fields = ("name", "user__username", "token_key")
    readonly_fields = ("digest", "token_key", "user", "created")
    fields = ("name", "user", "token_key", "created", "expiry")

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, who sees them once
